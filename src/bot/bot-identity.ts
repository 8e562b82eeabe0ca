import { isEntraObjectId, type Principal, type Role } from '../domain/identity.js';
import { acceptedText } from '../application/ports/text-schema.js';

/** What the bot knows of the sender of an activity, as Teams sends it. */
export interface ActivitySender {
  readonly from?: { readonly id?: string; readonly name?: string; readonly aadObjectId?: string };
  readonly conversation?: { readonly tenantId?: string };
  readonly channelData?: { readonly tenant?: { readonly id?: string } } | undefined;
}

export interface BotIdentityOptions {
  readonly allowedTenantIds: readonly string[];
  /** Entra object ids granted each role (Bot Framework tokens carry no roles). */
  readonly roleUsers: { readonly mr: readonly string[]; readonly committee: readonly string[] };
}

export type BotIdentity =
  | { readonly ok: true; readonly principal: Principal; readonly userMri: string }
  | { readonly ok: false; readonly reason: 'tenant_not_allowed' | 'no_entra_user' };

/** The tenant of an activity: Teams puts it in channelData; other channels on the conversation. */
export const tenantOf = (a: ActivitySender): string | undefined =>
  a.channelData?.tenant?.id ?? a.conversation?.tenantId;

/** The roles configuration grants an Entra object id. */
export function rolesOf(id: string, options: BotIdentityOptions): Set<Role> {
  const roles = new Set<Role>();
  if (options.roleUsers.mr.includes(id)) roles.add('mr');
  if (options.roleUsers.committee.includes(id)) roles.add('committee');
  return roles;
}

/**
 * Maps a Teams user to the Principal the use cases expect: Entra object id and tenant from the
 * activity (the Bot Framework token vouches for the activity), roles from configuration.
 */
export function identify(a: ActivitySender, options: BotIdentityOptions): BotIdentity {
  // Tenant ids compare in lower case, as the API's token validator keeps them.
  const tenantId = tenantOf(a)?.toLowerCase();
  if (!tenantId || !options.allowedTenantIds.some((t) => t.toLowerCase() === tenantId))
    return { ok: false, reason: 'tenant_not_allowed' };
  const from = a.from;
  const id = from?.aadObjectId;
  // An Entra object id is a GUID: anything else (an internal actor's id) is no Entra user.
  if (!from || !id || !isEntraObjectId(id)) return { ok: false, reason: 'no_entra_user' };
  const roles = rolesOf(id, options);
  // Teams' display name becomes the actor's name in the audit trail: NFC, never ill-formed.
  const name = acceptedText(from.name?.trim() ?? '');
  if (name === null) return { ok: false, reason: 'no_entra_user' };
  return {
    ok: true,
    principal: { id, name: name || id, tenantId, roles },
    userMri: from.id ?? '',
  };
}

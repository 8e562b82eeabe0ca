import type { RequestHandler, Response } from 'express';
import type { Principal } from '../domain/identity.js';
import { RectifyError } from '../domain/errors.js';

export interface TokenValidator {
  validate(token: string): Promise<Principal>;
}

/** Accepts only `Authorization: Bearer <access token>` validated as an Entra ID token. */
export const authenticate =
  (validator: TokenValidator): RequestHandler =>
  async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/.exec(header);
    if (!match?.[1]) {
      next(new RectifyError('AUTH.UNAUTHENTICATED', { reason: 'missing_bearer_token' }));
      return;
    }
    try {
      res.locals.principal = await validator.validate(match[1]);
      next();
    } catch (e) {
      next(e);
    }
  };

export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new Error('route is not behind authenticate()');
  return p;
}

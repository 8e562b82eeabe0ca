import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import { formatDateTime } from '../../app/labels.js';
import type { CommandBody } from '../../api/types.js';
import { investigationDifferences } from './operations/investigation-changes.js';
import type { CarOperations } from './use-car-operations.js';

const TELLING_KEYS = ['description', 'summary', 'decision', 'title', 'reason', 'evidence', 'name'];

/** A changed value as a person reads it: the text that matters, not the JSON around it. */
const brief = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '(empty)';
  let s: string;
  if (typeof v === 'string') s = v;
  else if (Array.isArray(v)) s = v.map(brief).join('; ');
  else if (typeof v === 'object') {
    const record = v as Record<string, unknown>;
    const key = TELLING_KEYS.find((k) => typeof record[k] === 'string');
    s = key ? String(record[key]) : JSON.stringify(v);
  } else s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
};

/** Shows the other person's change next to the one this user could not save. */
export function ConflictNotice({ ops }: { ops: CarOperations }) {
  const c = ops.conflict;
  if (!c) return null;
  const who = [...new Set(c.others.map((o) => o.actor.name))].join(', ') || 'Someone';
  const differences =
    c.op === 'updateInvestigation'
      ? investigationDifferences(
          c.body as CommandBody<'updateInvestigation'>,
          c.current.investigation,
        )
      : [];
  return (
    <MessageBar intent="warning" role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{who} changed this CAR while you were working</MessageBarTitle>
        Your change “{c.label}” was not saved. The page now shows the current CAR; what you typed is
        kept. Their change:
        {differences.length > 0 && (
          <table aria-label="Your change beside theirs">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Your change</th>
                <th scope="col">Stored now</th>
              </tr>
            </thead>
            <tbody>
              {differences.map((d) => (
                <tr key={d.field}>
                  <th scope="row">{d.field}</th>
                  <td>{brief(d.mine)}</td>
                  <td>{brief(d.current)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        “Send my change again” sends only the fields you changed.
        <ul aria-label="The other change">
          {c.others
            .flatMap((o) =>
              (o.changes.length > 0 ? o.changes : [null]).map((change, i) => ({ o, change, i })),
            )
            .slice(0, 12)
            .map(({ o, change, i }) => (
              <li key={`${o.sequence}-${i}`}>
                {formatDateTime(o.at)}, {o.actor.name}, {o.operation}
                {change
                  ? `: ${change.field} ${brief(change.oldValue)} → ${brief(change.newValue)}`
                  : ''}
              </li>
            ))}
        </ul>
      </MessageBarBody>
      <MessageBarActions>
        <Button appearance="primary" disabled={ops.busy !== null} onClick={() => void ops.redo()}>
          Send my change again
        </Button>
        <Button
          onClick={() => {
            ops.dismissConflict();
          }}
        >
          Dismiss
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import request from 'supertest';
import {
  TASK_BOARD_PRINCIPAL_ID,
  isTaskBoardPrincipal,
  taskBoardPrincipal,
} from '../../src/domain/identity.js';
import { LocalIssuer } from '../../src/infrastructure/auth/local-issuer.js';
import { LOCAL_CLIENT_ID, LOCAL_TENANT_ID } from '../../src/infrastructure/auth/sample-people.js';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import { invokeActivity, post, startConnector, type FakeConnector } from '../bot/bot-client.js';
import { anImplementingCar, etagOf } from '../http/steps.js';
import { expectProblem } from './problem.js';

let h: Harness;
let connector: FakeConnector;
beforeAll(async () => {
  connector = await startConnector();
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  await connector.close();
});

const actionStatus = async (carId: string): Promise<string | undefined> =>
  (
    (await (await h.as('mr')).get(`/api/cars/${carId}`)).body as {
      actions: { status: string }[];
    }
  ).actions[0]?.status;

describe('the task board principal', () => {
  it('is made only inside the process: the same id and roles from outside are not it', () => {
    const made = taskBoardPrincipal({
      tenantId: LOCAL_TENANT_ID,
      boardName: 'local board',
      completedBy: 'x',
    });
    const presented = JSON.parse(JSON.stringify({ ...made, roles: [] })) as { id: string };

    expect(isTaskBoardPrincipal(made)).toBe(true);
    expect(
      isTaskBoardPrincipal({
        ...presented,
        name: 'x',
        tenantId: LOCAL_TENANT_ID,
        roles: new Set(),
      }),
    ).toBe(false);
    expect(presented.id).toBe(TASK_BOARD_PRINCIPAL_ID);
  });

  it('refuses a correctly signed token whose oid is the task board id', async () => {
    const car = await anImplementingCar(h, { confidential: true });
    // The very key the server signs with: the token is genuine in every other respect.
    const issuer = await LocalIssuer.create({
      keyFile: path.join(h.dataDir, 'local-issuer-key.json'),
      tenantId: LOCAL_TENANT_ID,
      authorityHost: `${h.rectify.url}/dev/issuer`,
    });
    const { accessToken } = await issuer.issueAccessToken(
      {
        id: TASK_BOARD_PRINCIPAL_ID,
        name: 'Task board',
        email: 'board@contoso.example',
        jobTitle: 'Board',
        appRoles: [],
        description: 'forged',
      },
      { audience: LOCAL_CLIENT_ID },
    );

    const res = await request(h.rectify.url)
      .post(`/api/cars/${car.id}/actions/${car.actions[0]?.id ?? ''}/complete`)
      .set('Authorization', `Bearer ${accessToken}`)
      .set('If-Match', await etagOf(h, car.id))
      .send({ note: 'done' });

    expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
    expect(res.body).toMatchObject({ details: { reason: 'oid_invalid' } });
    expect(await actionStatus(car.id)).toBe('open');
  });

  it('refuses a bot activity from aadObjectId "rectify:task-board" completing an action', async () => {
    const car = await anImplementingCar(h, { confidential: true });
    const invoke = invokeActivity('otherOwner', connector.url, 'action.complete', {
      carId: car.id,
      etag: await etagOf(h, car.id),
      actionId: car.actions[0]?.id ?? '',
      note: 'done',
    });

    const res = await post(h.rectify.url, {
      ...invoke,
      from: { id: '29:board', name: 'Task board', aadObjectId: TASK_BOARD_PRINCIPAL_ID },
    });

    expect(res.status).toBe(400);
    expect(await actionStatus(car.id)).toBe('open');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { pino } from 'pino';
import { z } from 'zod';
import { problemHandler } from '../../../src/http/problem.js';
import { createDevRouter } from '../../../src/infrastructure/auth/dev-routes.js';
import { createEntraTokenValidator } from '../../../src/infrastructure/auth/entra-token-validator.js';
import {
  DEFAULT_ROLE_CLAIM_VALUES,
  LOCAL_CLIENT_ID,
  LOCAL_TENANT_ID,
  SAMPLE_PEOPLE,
} from '../../../src/infrastructure/auth/sample-people.js';
import { startIssuerServer } from './issuer-server.js';
import type { IssuerServer } from './issuer-server.js';

const PeopleResponse = z.object({
  people: z.array(
    z.object({
      id: z.uuid(),
      name: z.string().min(1),
      email: z.string().endsWith('@contoso.example'),
      jobTitle: z.string().min(1),
      roles: z.array(z.string()),
      description: z.string().min(1),
    }),
  ),
});
const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
});

let server: IssuerServer;

beforeAll(async () => {
  server = await startIssuerServer();
  server.app.use('/dev', createDevRouter({ issuer: server.issuer, audience: LOCAL_CLIENT_ID }));
  server.app.use(problemHandler(pino({ level: 'silent' })));
});

afterAll(async () => {
  await server.close();
});

describe('Dev routes', () => {
  it('lists the sample people with a reporter, MR, action owner and committee mix', async () => {
    const response = await request(server.app).get('/dev/people').expect(200);

    const { people } = PeopleResponse.parse(response.body);
    const withRole = (role: string) => people.filter((p) => p.roles.includes(role));
    expect(withRole('ManagementRepresentative')).toHaveLength(1);
    expect(withRole('SteeringCommittee').length).toBeGreaterThanOrEqual(2);
    // Reporters and action owners hold no app role: two of each at least.
    expect(people.filter((p) => p.roles.length === 0).length).toBeGreaterThanOrEqual(4);
    expect(people.filter((p) => /action/i.test(p.description)).length).toBeGreaterThanOrEqual(2);
    expect(new Set(people.map((p) => p.id)).size).toBe(people.length);
  });

  it('hands out a token for a sample person that the validator accepts', async () => {
    const mr = SAMPLE_PEOPLE.find((p) => p.appRoles.includes('ManagementRepresentative'));
    if (!mr) throw new Error('no Management Representative among the sample people');

    const response = await request(server.app)
      .post('/dev/token')
      .send({ personId: mr.id })
      .expect(200)
      .expect('Cache-Control', 'no-store');

    const { access_token: token } = TokenResponse.parse(response.body);
    const validator = createEntraTokenValidator({
      authorityHost: server.authorityHost,
      allowedTenantIds: [LOCAL_TENANT_ID],
      audiences: [LOCAL_CLIENT_ID],
      requiredScope: 'access_as_user',
      roleClaimValues: DEFAULT_ROLE_CLAIM_VALUES,
      roleGroups: { mr: [], committee: [] },
    });
    await expect(validator.validate(token)).resolves.toEqual({
      id: mr.id,
      name: mr.name,
      tenantId: LOCAL_TENANT_ID,
      roles: new Set(['mr']),
    });
  });

  it('answers 400 problem+json for a person who is not in the directory', async () => {
    const response = await request(server.app)
      .post('/dev/token')
      .send({ personId: '00000000-0000-4000-8000-000000000000' })
      .expect(400)
      .expect('Content-Type', /^application\/problem\+json/);

    expect(response.body).toMatchObject({
      status: 400,
      code: 'REQUEST.VALIDATION',
      errors: [{ field: 'personId' }],
    });
    expect(response.body).toHaveProperty('type');
    expect(response.body).toHaveProperty('title');
    expect(response.body).toHaveProperty('correlationId', expect.stringMatching(/\S/));
  });

  it('answers 400 problem+json when personId is missing', async () => {
    const response = await request(server.app).post('/dev/token').send({}).expect(400);

    expect(response.body).toMatchObject({
      code: 'REQUEST.VALIDATION',
      errors: [{ field: 'personId' }],
    });
  });
});

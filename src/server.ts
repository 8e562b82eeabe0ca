import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Router } from 'express';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createApp } from '../api/app.js';
import { botMount } from './bot/mount-bot.js';
import type { Config } from './config.js';
import { CarService } from './application/car-service.js';
import { systemClock, type Clock } from './application/ports.js';
import { WorkingCalendar } from './domain/calendar/working-calendar.js';
import { createDevRouter } from './infrastructure/auth/dev-routes.js';
import { createEntraTokenValidator } from './infrastructure/auth/entra-token-validator.js';
import { LocalIssuer } from './infrastructure/auth/local-issuer.js';
import type { CarRepository } from './domain/car/car-repository.js';
import { openGraphCarRepository } from './infrastructure/graph/open-graph-store.js';
import { openDatabase } from './infrastructure/sqlite/database.js';
import { SqliteCarRepository } from './infrastructure/sqlite/sqlite-car-repository.js';
import { defaultTabDir, tabRouter } from './tab/serve-tab.js';

export interface RunningRectify {
  readonly url: string;
  readonly server: Server;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * The composition root: picks the adapters from the configuration, wires them, and listens.
 * Local mode trusts the built-in issuer, mounted under /dev/issuer of this same server.
 */
export async function startRectify(
  config: Config,
  options: { clock?: Clock; logger?: Logger; tabDir?: string } = {},
): Promise<RunningRectify> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { app: 'rectify' } });
  const db = openDatabase(config.databaseFile);
  const repository: CarRepository =
    config.store.kind === 'sharepoint'
      ? await openGraphCarRepository(config.store)
      : new SqliteCarRepository(db);
  const clock = options.clock ?? systemClock;
  const carService = new CarService({
    repository,
    clock,
    newId: randomUUID,
    calendar: new WorkingCalendar(config.calendar),
    serviceLevels: config.serviceLevels,
    timeZone: config.timeZone,
  });

  let listeningOn = '';
  const authorityHost = config.auth.authorityHost ?? (() => `${listeningOn}/dev/issuer`);

  let devRouter: Router | undefined;
  if (config.mode === 'local') {
    const issuer = await LocalIssuer.create({
      keyFile: path.join(config.dataDir, 'local-issuer-key.json'),
      tenantId: config.auth.allowedTenantIds[0] ?? '',
      authorityHost,
    });
    devRouter = express.Router();
    devRouter.use('/issuer', issuer.router());
    devRouter.use(createDevRouter({ issuer, audience: config.auth.clientId }));
  }

  const tokenValidator = createEntraTokenValidator({
    authorityHost,
    allowedTenantIds: config.auth.allowedTenantIds,
    audiences: config.auth.audiences,
    requiredScope: 'access_as_user',
    roleClaimValues: config.auth.roleClaimValues,
    roleGroups: config.auth.roleGroups,
  });

  const app = await createApp({
    carService,
    tokenValidator,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => {
      db.prepare('SELECT 1').get();
      return Promise.resolve();
    },
    devRouter,
    beforeApi: botMount(config, { carService, repository, db, clock, logger }),
    afterApi: tabRouter({ dir: options.tabDir ?? defaultTabDir() }),
  });

  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listen error (port taken) to this callback instead of throwing.
    const s = app.listen(config.port, config.host, (err?: Error) => {
      if (err) reject(err);
      else resolve(s);
    });
  });
  const { port } = server.address() as AddressInfo;
  listeningOn = `http://127.0.0.1:${port}`;
  logger.info(
    { url: listeningOn, mode: config.mode, data: config.dataDir, store: config.store.kind },
    'Rectify is listening',
  );

  return {
    url: listeningOn,
    server,
    logger,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      db.close();
    },
  };
}

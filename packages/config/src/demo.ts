import { createHash } from 'node:crypto';

/**
 * The configuration `npm start` runs with when REFRESH_CONFIG is not set: one tenant, `demo`,
 * on the local VOD simulator. These credentials only open the simulator.
 */
export const DEMO = {
  apiKey: 'demo-key-change-me',
  projectId: '0123456789abcdef0123456789abcdef',
  accessKey: 'DEMOACCESSKEY0000000',
  secretKey: 'demo-secret-key-not-for-production',
  simulatorPort: 9000,
} as const;

export function demoFileConfig(simulatorUrl = `http://127.0.0.1:${DEMO.simulatorPort}`): unknown {
  return {
    tenants: [
      {
        id: 'demo',
        projectId: DEMO.projectId,
        endpoint: simulatorUrl,
        auth: { type: 'aksk', accessKey: DEMO.accessKey, secretKey: DEMO.secretKey },
      },
    ],
    callers: [
      { id: 'demo-caller', apiKeySha256: createHash('sha256').update(DEMO.apiKey).digest('hex'), tenants: ['demo'] },
    ],
  };
}

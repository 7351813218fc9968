/** The PostgreSQL starter the data tests stand on: what it promises about passwords and about cleaning up. */
import { expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { describeWithPostgres, startPostgres } from '../../test/support/postgres.js';

const describe = describeWithPostgres();

/** The postmaster is this process's child: Node reaps it when it exits, so its /proc entry goes with it. */
const running = (pid: number) => existsSync(`/proc/${pid}`);

describe('test/support/postgres.ts', () => {
  test('checks passwords over TCP, and close() stops the server and removes its directory', async () => {
    const server = await startPostgres();
    try {
      const ok = await server.connect();
      expect((await ok.query('SELECT current_user AS u')).rows).toEqual([{ u: 'postgres' }]);
      await ok.end();
      await expect(server.connect({ password: 'wrong' })).rejects.toMatchObject({ code: '28P01' });
      expect(running(server.pid)).toBe(true);
    } finally {
      await server.close();
    }
    expect(running(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });
});

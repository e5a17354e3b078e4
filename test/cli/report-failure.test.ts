// What a command prints when it fails goes through redaction: an error quoting a bearer
// token or a private key (as an API server or a tool may echo back) never reaches stderr.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportFailure } from '../../src/cli/run-command.js';
import { UserError } from '../../src/core/errors.js';

const TOKEN = 'abcd1234efgh5678ijkl9012mnop';
const KEY =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----';

afterEach(() => vi.restoreAllMocks());

function capture(err: unknown): { code: number; out: string } {
  let out = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const code = reportFailure(err);
  vi.restoreAllMocks();
  return { code, out };
}

describe('reportFailure', () => {
  it('redacts secrets in a user error and its fix', () => {
    const r = capture(new UserError(`server said: Authorization: Bearer ${TOKEN}`, `check the key ${KEY}`));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(
      /^error: server said: Authorization: Bearer \[REDACTED\]\nfix: check the key \[REDACTED RSA PRIVATE KEY\]\n$/,
    );
    expect(r.out).not.toContain(TOKEN);
  });

  it('redacts an unexpected error, its stack under SCALE_TUI_DEBUG too', () => {
    vi.stubEnv('SCALE_TUI_DEBUG', '1');
    const r = capture(new Error(`boom ${KEY}`));
    vi.unstubAllEnvs();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: boom \[REDACTED RSA PRIVATE KEY\]\n/);
    expect(r.out).not.toContain('MIIEowIBAAKCAQEA');
  });
});

/** MD5 password authentication (protocol docs, AuthenticationMD5Password). */
import { createHash } from 'node:crypto';

function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * The PasswordMessage answer to AuthenticationMD5Password: `'md5' + md5hex(md5hex(password + user) + salt)`.
 * The inner hash is what the server stores (`pg_authid.rolpassword` without its `md5` prefix); the salt, four
 * random bytes from the server, keeps the answer from being replayed. Strings are hashed as UTF-8, as libpq
 * sends them in a UTF-8 client encoding.
 */
export function md5Password(user: string, password: string, salt: Uint8Array): string {
  const inner = md5Hex(password + user);
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(inner, 'utf8'), salt]));
}

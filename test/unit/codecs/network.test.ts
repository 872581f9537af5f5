import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrCodec, inetCodec, macaddr8Codec, macaddrCodec } from '../../../src/codecs/builtin/network.js';
import { decodeHex, encodeHex, expectCodecError, expectTruncationsRejected } from './helpers.js';

describe('inet and cidr', () => {
  // `SELECT inet_send(x)`: family (2 = IPv4, 3 = IPv6), bits, is_cidr, length, address.
  it.each([
    ['192.168.0.1', '02200004c0a80001'],
    ['10.1.2.3/8', '020800040a010203'],
    ['::ffff:1.2.3.4', '0380001000000000000000000000ffff01020304'],
    ['::1', '0380001000000000000000000000000000000001'],
  ])('inet %s', (text, hex) => {
    expect(decodeHex(inetCodec, hex)).toBe(text);
    expect(encodeHex(inetCodec, text)).toBe(hex);
  });
  it('always shows the mask for cidr', () => {
    expect(decodeHex(cidrCodec, '0320011020010db8000000000000000000000000')).toBe('2001:db8::/32');
    expect(encodeHex(cidrCodec, '2001:db8::/32')).toBe('0320011020010db8000000000000000000000000');
    expect(cidrCodec.encodeText!('10/8')).toBe('10.0.0.0/8');
    expect(cidrCodec.encodeText!('1.2.3.4')).toBe('1.2.3.4/32');
  });
  it.each([
    // What PostgreSQL 18 prints for each input (inet_net_ntop's IPv6 compression rules).
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['::0.0.0.1', '::1'],
    ['::2', '::2'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['::', '::'],
    ['1::', '1::'],
    ['ABCD::', 'abcd::'],
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['::ffff:1:2', '::ffff:0.1.0.2'],
    ['::1:2:3:4:5:6', '::1:2:3:4:5:6'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['1.2.3.4/24', '1.2.3.4/24'],
    ['001.002.003.004', '1.2.3.4'],
    ['1.2.3.4/08', '1.2.3.4/8'],
  ])('prints %s as %s', (input, output) => {
    expect(inetCodec.encodeText!(input)).toBe(output);
    expect(decodeHex(inetCodec, encodeHex(inetCodec, input))).toBe(output);
  });
  it('refuses what inet_in and cidr_in refuse', () => {
    for (const bad of ['10.1', ' 1.2.3.4', '1.2.3.4/33', '256.0.0.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'x']) {
      expectCodecError(() => encodeHex(inetCodec, bad), 'invalid inet');
    }
    expectCodecError(() => encodeHex(cidrCodec, '10.1.2.3/8'), 'bits set to right of the mask');
    expectCodecError(() => encodeHex(cidrCodec, '::ffff:1.2.3.4/96'), 'bits set');
    expectCodecError(() => encodeHex(cidrCodec, '192.168.1'), 'invalid cidr');
    expectCodecError(() => decodeHex(inetCodec, '07200004c0a80001'), 'header');
    expectTruncationsRejected(inetCodec, '02200004c0a80001');
  });
  it('round-trips any address and mask', () => {
    const v4 = fc.tuple(fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }));
    fc.assert(
      fc.property(v4, ([bytes, bits]) => {
        const text = bytes.join('.') + (bits === 32 ? '' : `/${bits}`);
        expect(decodeHex(inetCodec, encodeHex(inetCodec, text))).toBe(text);
      }),
    );
    const v6 = fc.tuple(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 128 }));
    fc.assert(
      fc.property(v6, ([words, bits]) => {
        const printed = decodeHex(inetCodec, encodeHex(inetCodec, `${words.map((w) => w.toString(16)).join(':')}/${bits}`));
        const again = decodeHex(inetCodec, encodeHex(inetCodec, printed));
        expect(again).toBe(printed);
      }),
    );
  });
});

describe('macaddr and macaddr8', () => {
  it('prints lowercase colon form and reads every accepted form', () => {
    expect(decodeHex(macaddrCodec, '08002b010203')).toBe('08:00:2b:01:02:03');
    for (const form of ['08:00:2b:01:02:03', '08-00-2b-01-02-03', '08002b:010203', '08002b-010203', '0800.2b01.0203', '0800-2b01-0203', '08002B010203']) {
      expect(encodeHex(macaddrCodec, form)).toBe('08002b010203');
    }
    expectCodecError(() => encodeHex(macaddrCodec, '08:00:2b:01:02'), 'MAC address');
    expectCodecError(() => encodeHex(macaddrCodec, '08:00-2b:01:02:03'), 'MAC address');
    expectTruncationsRejected(macaddrCodec, '08002b010203');
  });
  it('widens six bytes to EUI-64 for macaddr8', () => {
    expect(decodeHex(macaddr8Codec, '08002b0102030405')).toBe('08:00:2b:01:02:03:04:05');
    expect(macaddr8Codec.encodeText!('08:00:2b:01:02:03')).toBe('08:00:2b:ff:fe:01:02:03');
    expect(encodeHex(macaddr8Codec, '0800.2b01.0203.0405')).toBe('08002b0102030405');
  });
  it('prints any bytes at any offset as their hex pairs joined by colons', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat(4), (bytes, pad) => {
        const buf = Buffer.concat([Buffer.alloc(pad, 0xee), bytes, Buffer.alloc(3, 0xdd)]);
        const pairs = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
        expect(macaddrCodec.decodeBinary!(buf, pad, 6)).toBe(pairs.slice(0, 6).join(':'));
        expect(macaddr8Codec.decodeBinary!(buf, pad, 8)).toBe(pairs.join(':'));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * A fault-injecting TCP proxy between pgjet and a server (real or fake), for what a network or a broken
 * middlebox does: cut the stream at a byte offset, flip or inject bytes, stall, delay, split into tiny chunks.
 *
 * Faults are planned per direction (`toServer`: client → server, `toClient`: server → client) and counted in
 * bytes from the start of each proxied connection, or applied live through a {@link ProxyLink}'s methods
 * (`stall()`, `cut()`, …) once a test has reached the point it wants to break. A CancelRequest's connection
 * is recognised by its first 8 bytes and passed through untouched unless `faultCancels` is set, so a test
 * can break a session's stream and still have its cancel delivered (or break the cancel too).
 *
 * Everything observable is an event or a promise (`link.stalled`, `proxy.nextLink()`), so tests wait on
 * events, never on sleeps. `delayMs` is the one timer: it is the fault being simulated.
 */
import net from 'node:net';

/** Faults for one direction of one connection. Offsets count bytes of that direction from its first byte. */
export interface FaultPlan {
  /** Cut both sockets (RST to the client) once this many bytes have gone through. */
  cutAt?: number;
  /** XOR the byte at each of these offsets with `flipMask` (default 0xff). */
  flipAt?: readonly number[];
  /** The mask for `flipAt`. */
  flipMask?: number;
  /** Insert these bytes before the byte at `offset`. */
  inject?: { offset: number; bytes: Uint8Array };
  /** Stop forwarding at this offset: later bytes are held until `resume()` (or forever). */
  stallAt?: number;
  /** Forward each chunk this many milliseconds late (order kept). */
  delayMs?: number;
  /** Forward in pieces of at most this many bytes, each its own write. */
  splitEvery?: number;
}

/** Faults of one proxied connection. */
export interface LinkPlan {
  toServer?: FaultPlan;
  toClient?: FaultPlan;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward to. */
  target: { host: string; port: number };
  /** The plan of each connection, by the order it was accepted (0, 1, …); none by default. */
  plan?: (index: number) => LinkPlan | undefined;
  /** Apply plans (and count indexes) for CancelRequest connections too. Default false: they pass untouched. */
  faultCancels?: boolean;
}

/** What one direction of a link has done so far. */
export interface DirectionState {
  /** Bytes received from the sender (before injections). */
  readonly seen: number;
  /** True while held by a stall. */
  readonly isStalled: boolean;
}

/** The CancelRequest code (1234 << 16 | 5678) at bytes 4..8 of its connection. */
const CANCEL_REQUEST_CODE = 80877102;

class Direction implements DirectionState {
  seen = 0;
  isStalled = false;
  #held: Buffer[] = [];
  #isEndHeld = false;
  #isEnded = false;
  #plan: FaultPlan;
  #queue: Promise<void> = Promise.resolve();
  readonly #out: net.Socket;
  readonly #onStall: () => void;
  readonly #onCut: () => void;

  constructor(out: net.Socket, plan: FaultPlan, onStall: () => void, onCut: () => void) {
    this.#out = out;
    this.#plan = plan;
    this.#onStall = onStall;
    this.#onCut = onCut;
  }

  setPlan(plan: FaultPlan): void {
    this.#plan = plan;
  }

  stall(): void {
    if (this.isStalled) return;
    this.isStalled = true;
    this.#onStall();
  }

  resume(): void {
    this.isStalled = false;
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) this.#forward(chunk);
    if (this.#isEndHeld) this.end();
  }

  /** The sender's orderly end (FIN): passed on after what came before it, or held by a stall like data. */
  end(): void {
    if (this.isStalled) {
      this.#isEndHeld = true;
      return;
    }
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#isEndHeld = false;
    this.#queue = this.#queue.then(() => {
      if (!this.#out.destroyed) this.#out.end();
    });
  }

  push(chunk: Buffer): void {
    const from = this.seen;
    this.seen += chunk.length;
    const plan = this.#plan;
    let data = chunk;
    if (plan.flipAt !== undefined) {
      data = Buffer.from(data);
      for (const at of plan.flipAt) if (at >= from && at < from + data.length) data[at - from] ^= plan.flipMask ?? 0xff;
    }
    if (plan.inject !== undefined && plan.inject.offset >= from && plan.inject.offset < from + chunk.length) {
      const at = plan.inject.offset - from;
      data = Buffer.concat([data.subarray(0, at), plan.inject.bytes, data.subarray(at)]);
    }
    if (plan.cutAt !== undefined && plan.cutAt < from + chunk.length) {
      if (plan.cutAt > from) this.#forward(data.subarray(0, plan.cutAt - from));
      this.#onCut();
      return;
    }
    if (plan.stallAt !== undefined && !this.isStalled && plan.stallAt < from + chunk.length) {
      const at = Math.max(0, plan.stallAt - from);
      if (at > 0) this.#forward(data.subarray(0, at));
      this.stall();
      this.#held.push(data.subarray(at));
      return;
    }
    if (this.isStalled) {
      this.#held.push(data);
      return;
    }
    this.#forward(data);
  }

  #forward(data: Buffer): void {
    const { delayMs, splitEvery } = this.#plan;
    const write = (): void => {
      if (this.#out.destroyed) return;
      if (splitEvery === undefined || splitEvery <= 0) {
        this.#out.write(data);
        return;
      }
      for (let i = 0; i < data.length; i += splitEvery) this.#out.write(data.subarray(i, i + splitEvery));
    };
    if (delayMs === undefined || delayMs <= 0) {
      write();
      return;
    }
    // Chained so a delayed chunk never overtakes an earlier one.
    this.#queue = this.#queue.then(() => new Promise<void>((resolve) => setTimeout(() => {
      write();
      resolve();
    }, delayMs)));
  }
}

/** One proxied connection. */
export class ProxyLink {
  /** Accept order among the links the plan applies to (cancel connections count only with `faultCancels`). */
  readonly index: number;
  /** True for a CancelRequest's side connection. */
  readonly isCancel: boolean;
  /** Resolves when either direction first stalls. */
  readonly stalled: Promise<void>;
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;
  readonly #client: net.Socket;
  readonly #server: net.Socket;
  readonly #toServer: Direction;
  readonly #toClient: Direction;

  /** @internal built by the proxy. */
  constructor(client: net.Socket, server: net.Socket, index: number, isCancel: boolean, plan: LinkPlan) {
    this.index = index;
    this.isCancel = isCancel;
    this.#client = client;
    this.#server = server;
    let markStalled: () => void = () => undefined;
    this.stalled = new Promise((resolve) => (markStalled = resolve));
    const cut = (): void => this.cut();
    this.#toServer = new Direction(server, plan.toServer ?? {}, markStalled, cut);
    this.#toClient = new Direction(client, plan.toClient ?? {}, markStalled, cut);
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const serverClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));
    this.closed = Promise.all([clientClosed, serverClosed]).then(() => undefined);
  }

  /** Client → server state. */
  get toServer(): DirectionState {
    return this.#toServer;
  }

  /** Server → client state. */
  get toClient(): DirectionState {
    return this.#toClient;
  }

  /** @internal */
  fromClient(chunk: Buffer): void {
    this.#toServer.push(chunk);
  }

  /** @internal */
  fromServer(chunk: Buffer): void {
    this.#toClient.push(chunk);
  }

  /** @internal the client ended its side. */
  endFromClient(): void {
    this.#toServer.end();
  }

  /** @internal the server ended its side. */
  endFromServer(): void {
    this.#toClient.end();
  }

  /** Replaces a direction's plan from now on (offsets still count from the connection's start). */
  replan(plan: LinkPlan): void {
    if (plan.toServer !== undefined) this.#toServer.setPlan(plan.toServer);
    if (plan.toClient !== undefined) this.#toClient.setPlan(plan.toClient);
  }

  /** Holds everything from now on in `direction` (both by default): the peer sees silence, not a close. */
  stall(direction: 'toServer' | 'toClient' | 'both' = 'both'): void {
    if (direction !== 'toClient') this.#toServer.stall();
    if (direction !== 'toServer') this.#toClient.stall();
  }

  /** Forwards what a stall held, and everything after it. */
  resume(): void {
    this.#toServer.resume();
    this.#toClient.resume();
  }

  /** Cuts both sides: the client gets a reset, the server a close. */
  cut(): void {
    if (!this.#client.destroyed) this.#client.resetAndDestroy();
    this.#server.destroy();
  }
}

/** A running proxy. */
export interface FaultProxy {
  /** Always 127.0.0.1. */
  readonly host: string;
  /** The port the OS picked. */
  readonly port: number;
  /** Every connection so far, in accept order (cancel connections included). */
  readonly links: readonly ProxyLink[];
  /** Resolves with the next connection the proxy accepts that is not a CancelRequest (unless `faultCancels`). */
  nextLink(): Promise<ProxyLink>;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (OS-chosen port) forwarding to `options.target` with the planned faults. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const links: ProxyLink[] = [];
  const waiting: ((link: ProxyLink) => void)[] = [];
  const ready: ProxyLink[] = [];
  let counted = 0;
  // Half-open sockets, so an end (FIN) is forwarded, or held by a stall, like data.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', () => undefined);
    // The first 8 bytes decide whether this is a CancelRequest; hold everything until then.
    let head = Buffer.alloc(0);
    const onFirst = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 8) return;
      client.off('data', onFirst);
      const isCancel = head.readInt32BE(0) === 16 && head.readInt32BE(4) === CANCEL_REQUEST_CODE;
      const faulted = !isCancel || options.faultCancels === true;
      const index = faulted ? counted++ : -1;
      const plan = faulted ? options.plan?.(index) ?? {} : {};
      const upstream = net.connect({ host: options.target.host, port: options.target.port, noDelay: true, allowHalfOpen: true });
      upstream.on('error', () => client.destroy());
      const link = new ProxyLink(client, upstream, index, isCancel, plan);
      links.push(link);
      client.on('data', (c: Buffer) => link.fromClient(c));
      upstream.on('data', (c: Buffer) => link.fromServer(c));
      // Orderly ends stay orderly (a cancel's side connection closes this way), and a stall holds them too.
      client.on('end', () => link.endFromClient());
      upstream.on('end', () => link.endFromServer());
      upstream.on('close', () => link.endFromServer());
      client.on('close', () => upstream.destroy());
      link.fromClient(head);
      if (faulted) {
        const waiter = waiting.shift();
        if (waiter !== undefined) waiter(link);
        else ready.push(link);
      }
    };
    client.on('data', onFirst);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port: address.port,
    links,
    nextLink: () => {
      const link = ready.shift();
      return link !== undefined ? Promise.resolve(link) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const link of links) link.cut();
      await stopped;
    },
  };
}

// The one thing the session needs from the world: a reliable, ordered, full-duplex byte stream.
// No message boundaries are used (docs/PROTOCOL.md §1): a transport may split or merge chunks freely.

export interface TransportHandlers {
  /** The next bytes of the stream, in order. */
  data(chunk: Uint8Array): void;
  /** The stream ended (cleanly or not); called at most once, after the last `data`. */
  end(reason: string): void;
}

export interface ByteTransport {
  /** For messages: "stdio of pid 42", "ws://127.0.0.1:8080/". */
  readonly description: string;
  /** Starts delivering bytes; called once. Bytes that arrived before are delivered then. */
  start(handlers: TransportHandlers): void;
  /**
   * Writes bytes in order. A returned promise means "wait for it before writing more" (the transport's
   * buffer is full); it resolves when there is room again, or when the transport ended.
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Ends the transport; `end` is still called once. Idempotent. */
  close(): void;
}

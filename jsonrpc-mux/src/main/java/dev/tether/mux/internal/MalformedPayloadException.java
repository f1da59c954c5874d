package dev.tether.mux.internal;

/** A frame whose header was fine but whose payload is not what its type requires: a channel error. */
public final class MalformedPayloadException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedPayloadException(String reason) {
    super(reason);
  }
}

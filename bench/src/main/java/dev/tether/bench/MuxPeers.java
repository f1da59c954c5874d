package dev.tether.bench;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionRegistry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An initiator session and its acceptor in this process, joined by one {@link Wire} connection, set
 * up the way the bridges do it ({@link Session#connect} against a {@link SessionRegistry}). Each
 * {@link #open} hands back both ends of a new channel, so a run can drive either side.
 */
final class MuxPeers implements AutoCloseable {
  /** Both ends of one channel: the end the initiator opened, and the end the acceptor accepted. */
  record ChannelPair(Channel near, Channel far) {}

  private final Session initiator;
  private final Session acceptor;
  private final Wire.Link link;
  private final Rendezvous rendezvous;
  private final AtomicInteger nextTag = new AtomicInteger();

  private MuxPeers(Session initiator, Session acceptor, Wire.Link link, Rendezvous rendezvous) {
    this.initiator = initiator;
    this.acceptor = acceptor;
    this.link = link;
    this.rendezvous = rendezvous;
  }

  static MuxPeers start(Wire wire, BenchOptions options, SessionConfig config) throws Exception {
    Rendezvous rendezvous = new Rendezvous();
    Wire.Link link = wire.connect(options);
    SessionRegistry registry = new SessionRegistry(config.withName("bench-acceptor").withAcceptor(rendezvous));
    CompletableFuture<Session> accepting = CompletableFuture.supplyAsync(() -> {
      try {
        return registry.accept(link.acceptor());
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
    Session initiator = Session.connect(link.initiator(), config.withName("bench-initiator"));
    Session acceptor = accepting.get(10, TimeUnit.SECONDS);
    return new MuxPeers(initiator, acceptor, link, rendezvous);
  }

  /** Opens a channel from the initiator and returns it with the acceptor's end. */
  ChannelPair open(String kind, ChannelFlavour flavour) throws Exception {
    String tag = "{\"bench\":\"" + kind + "-" + nextTag.incrementAndGet() + "\"}";
    CompletableFuture<Channel> far = rendezvous.expect(tag);
    Channel near = initiator.open(kind, flavour, tag);
    return new ChannelPair(near, far.get(10, TimeUnit.SECONDS));
  }

  @Override
  public void close() {
    initiator.close();
    acceptor.close();
    link.initiator().close();
    link.acceptor().close();
  }

  /** The acceptor's side: accepts every channel and hands it to whoever opened it, matched by metadata. */
  private static final class Rendezvous implements ChannelAcceptor {
    private final Map<String, CompletableFuture<Channel>> expected = new ConcurrentHashMap<>();

    CompletableFuture<Channel> expect(String tag) {
      return expected.computeIfAbsent(tag, t -> new CompletableFuture<>());
    }

    @Override
    public void onOpen(OpenRequest request) throws Exception {
      CompletableFuture<Channel> waiting = expected.remove(request.metadata());
      if (waiting == null) {
        throw new IllegalStateException("no benchmark run opened a channel tagged " + request.metadata());
      }
      waiting.complete(request.accept());
    }
  }
}

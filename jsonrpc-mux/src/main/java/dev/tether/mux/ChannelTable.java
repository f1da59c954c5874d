package dev.tether.mux;

import dev.tether.mux.internal.ChannelProtocolException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A session's channels by id, and what it remembers of ids: which ids each side has used (ids only
 * increase, the initiator's odd and the acceptor's even), which channels were reset lately (their
 * late frames are dropped, not answered) and the limits on opening more (a channel count and a
 * receive budget, the sum of the receive windows granted).
 *
 * <p>Threading: none of its own; the session calls every method under the session lock.
 */
final class ChannelTable {
  /** How many reset channel ids are remembered for dropping their late frames quietly. */
  static final int RECENTLY_RESET_MEMORY = 1024;
  /** The smallest receive window a channel opened under a nearly spent receive budget gets. */
  static final int MIN_BUDGET_WINDOW = 64 * 1024;

  private final boolean initiator;
  private final int maxChannels;
  private final long receiveBudget;
  private final int initialWindow;
  private final Map<Integer, Channel> channels = new HashMap<>();
  private final Set<Integer> recentlyReset = new LinkedHashSet<>();
  private int nextLocalId;
  private int highestPeerId;

  ChannelTable(boolean initiator, int maxChannels, long receiveBudget, int initialWindow) {
    this.initiator = initiator;
    this.maxChannels = maxChannels;
    this.receiveBudget = receiveBudget;
    this.initialWindow = initialWindow;
    this.nextLocalId = initiator ? 1 : 2;
  }

  Channel get(int id) {
    return channels.get(id);
  }

  void put(Channel channel) {
    channels.put(channel.id(), channel);
  }

  Channel remove(int id) {
    return channels.remove(id);
  }

  int size() {
    return channels.size();
  }

  /** Empties the table, returning what it held. */
  List<Channel> removeAll() {
    List<Channel> all = new ArrayList<>(channels.values());
    channels.clear();
    return all;
  }

  /** The id for the next channel this side opens. */
  int takeLocalId() {
    int id = nextLocalId;
    nextLocalId += 2;
    return id;
  }

  /**
   * Records {@code id} as the peer's newest channel, or throws when the peer may not use it: an id of
   * this side's parity, or one not above the peer's last.
   */
  void acceptPeerId(int id) throws ChannelProtocolException {
    boolean peerParity = (id % 2 == 1) != initiator;
    if (!peerParity || id <= highestPeerId) {
      throw new ChannelProtocolException(id, ErrorCode.PROTOCOL_ERROR, peerParity
          ? "OPEN reuses channel id " + id + " (ids must increase)"
          : "OPEN with channel id " + id + " of the wrong parity (the " + (initiator ? "acceptor" : "initiator")
              + " uses " + (initiator ? "even" : "odd") + " ids)");
    }
    highestPeerId = id;
  }

  /** True for an id that was opened (by either side) and is no longer in the table. */
  boolean knownClosed(int id) {
    boolean ours = (id % 2 == 1) == initiator;
    return !channels.containsKey(id) && (ours ? id < nextLocalId : id <= highestPeerId);
  }

  void rememberReset(int id) {
    recentlyReset.add(id);
    if (recentlyReset.size() > RECENTLY_RESET_MEMORY) {
      recentlyReset.remove(recentlyReset.iterator().next());
    }
  }

  boolean recentlyReset(int id) {
    return recentlyReset.contains(id);
  }

  /**
   * Why no channel may be opened now (too many open, or the receive budget spent), or null; on null,
   * {@link #windowForNewChannel} is positive.
   */
  String refusalReason() {
    String limit = limitReason();
    return limit != null ? limit : budgetReason();
  }

  /** Why no channel may be opened now because too many are open, or null. */
  String limitReason() {
    return channels.size() < maxChannels ? null
        : "too many channels: " + channels.size() + " open, the limit is " + maxChannels;
  }

  /** Why no channel may be opened now because the receive budget is spent, or null. */
  String budgetReason() {
    return windowForNewChannel() > 0 ? null : "receive budget spent: " + channels.size() + " channels hold "
        + committedReceiveWindows() + " bytes of receive window, the budget is " + receiveBudget;
  }

  /**
   * The receive window a new channel gets: the initial window while the receive budget allows it, then
   * what is left of the budget, or 0 when too little is left (the open is refused).
   */
  int windowForNewChannel() {
    long left = receiveBudget - committedReceiveWindows();
    if (left >= initialWindow) {
      return initialWindow;
    }
    return left >= Math.min(initialWindow, MIN_BUDGET_WINDOW) ? (int) left : 0;
  }

  private long committedReceiveWindows() {
    long sum = 0;
    for (Channel channel : channels.values()) {
      sum += channel.receiveWindowSize();
    }
    return sum;
  }
}

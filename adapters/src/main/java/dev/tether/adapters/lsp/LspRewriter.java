package dev.tether.adapters.lsp;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.tether.adapters.lsp.internal.MessagePeek;
import dev.tether.adapters.lsp.internal.PendingRequests;
import dev.tether.adapters.lsp.internal.PendingRequests.Pending;
import dev.tether.adapters.lsp.internal.UriFinder;
import dev.tether.adapters.lsp.internal.UriSlot;
import dev.tether.adapters.lsp.internal.UriTable;
import dev.tether.adapters.lsp.internal.UriTranslator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the JSON-RPC messages of one editor-to-language-server connection so that an editor on
 * this machine and a server on the remote host each see their own paths.
 *
 * <p>Each call takes one message body (no {@code Content-Length} header) and returns the body to
 * forward; the caller frames it, with {@code Content-Length} counted on the returned bytes.
 * <ul>
 *   <li>A message with nothing to rewrite comes back as the very same array, byte for byte. Anything
 *       that is not a JSON object or array of objects (even malformed JSON) passes unchanged.
 *   <li>Only URIs change, and only where the LSP meta model types a URI (see {@code uri-table.json}
 *       and {@link PathMapper}): request and notification params by method; responses by the method of
 *       the request they answer, tracked by id per direction, since the editor's and the server's ids
 *       are separate namespaces; {@code $/progress} values by the method of the request that announced
 *       the {@code partialResultToken}; {@code client/registerCapability} options by each registration's
 *       method. A rewritten message is re-serialized with its member order, ids ({@code 1} stays
 *       {@code 1}, {@code "1"} stays {@code "1"}), number spellings and nulls kept.
 *   <li>{@code initialize}: {@code rootPath} (a plain path) and {@code rootUri}/{@code workspaceFolders}
 *       are translated. Its {@code processId} is left alone here: the agent that starts the server gives
 *       it its own pid, the one place that rewrites it (the editor's pid means nothing on the host).
 *   <li>Host-only files: see {@link MaterializedCache} and {@link Builder#hostFiles}.
 * </ul>
 *
 * <p>Not rewritten, by design: values typed {@code LSPAny} in the meta model, such as
 * {@code workspace/executeCommand} and {@code Command} arguments, {@code data} fields kept for
 * resolve requests, {@code initializationOptions}, {@code workspace/configuration} results and
 * work-done {@code $/progress} values. Their shape is private to a server (and its editor extension),
 * so a string in them that looks like a path cannot be told from one that is not. This is consistent
 * for the common round trip (a server builds a command or {@code data}, the editor hands it back
 * unchanged, the server gets its own paths back), and it is wrong only where an editor puts its own
 * paths into such a value, which needs server-specific knowledge that this layer does not have.
 *
 * <p>Threading: {@link #clientToServer} is called by one thread (the editor reader) and
 * {@link #serverToClient} by another (the server reader); each direction must be called sequentially,
 * in message order, and a returned message must be forwarded only after the call returns (so that a
 * request is recorded before its response can arrive). The state shared by the two directions (pending
 * requests, partial-result tokens, remembered spellings) is held in concurrent structures.
 * {@link #serverToClient} may block on remote I/O while it copies a host-only file.
 */
public final class LspRewriter {
  private static final Logger log = LoggerFactory.getLogger(LspRewriter.class);
  private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private enum Direction { TO_SERVER, TO_CLIENT }

  private final UriTable table = UriTable.standard();
  private final PathMapper mapper;
  private final UriTranslator translator;
  private final PendingRequests clientRequests = new PendingRequests();
  private final PendingRequests serverRequests = new PendingRequests();
  private final Map<String, String> partialResultMethods = new ConcurrentHashMap<>();

  private LspRewriter(Builder builder) {
    this.mapper = builder.mapper;
    this.translator = new UriTranslator(builder.mapper, builder.cache, builder.localExists);
  }

  /** Starts a rewriter for a connection whose paths {@code mapper} translates. */
  public static Builder builder(PathMapper mapper) {
    return new Builder(mapper);
  }

  /** Rewrites one message from the editor; returns {@code body} itself if nothing changed. */
  public byte[] clientToServer(byte[] body) {
    return rewrite(body, Direction.TO_SERVER);
  }

  /** Rewrites one message from the server; returns {@code body} itself if nothing changed. */
  public byte[] serverToClient(byte[] body) {
    return rewrite(body, Direction.TO_CLIENT);
  }

  /** Requests in either direction still awaiting a response that will need rewriting. */
  int pendingRequests() {
    return clientRequests.size() + serverRequests.size() + partialResultMethods.size();
  }

  private byte[] rewrite(byte[] body, Direction direction) {
    if (passesUnparsed(body, direction)) {
      return body;
    }
    JsonElement root = parse(body);
    if (root == null) {
      return body;
    }
    boolean changed = false;
    if (root.isJsonArray()) {
      for (JsonElement message : root.getAsJsonArray()) {
        changed = rewriteMessage(message, direction) | changed;
      }
    } else {
      changed = rewriteMessage(root, direction);
    }
    return changed ? GSON.toJson(root).getBytes(StandardCharsets.UTF_8) : body;
  }

  /** Methods whose messages are looked at beyond the URI table's paths. */
  private static final java.util.Set<String> SPECIAL = java.util.Set.of("initialize", "$/progress", "client/registerCapability");

  /**
   * Whether the message certainly needs nothing (so it is forwarded as the same bytes without being
   * parsed): a call whose method has no URI paths and whose response needs no tracking, or a response
   * to no request we track. Decided from a {@link MessagePeek} of the top-level method and id.
   */
  private boolean passesUnparsed(byte[] body, Direction direction) {
    MessagePeek.Peek peek = MessagePeek.peek(body);
    if (peek == null) {
      return false;
    }
    if (peek.method() != null) {
      if (SPECIAL.contains(peek.method())) {
        return false;
      }
      UriTable.MethodPaths paths = table.method(peek.method());
      if (!paths.params().isEmpty() || !paths.registrationOptions().isEmpty()) {
        return false;
      }
      return !peek.hasId() || !paths.hasResultPaths();
    }
    if (peek.idKey() != null) {
      PendingRequests pending = direction == Direction.TO_CLIENT ? clientRequests : serverRequests;
      return !pending.containsKey(peek.idKey());
    }
    return false;
  }

  private static JsonElement parse(byte[] body) {
    try {
      return JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      log.debug("passing a message that is not JSON: {}", e.getMessage());
      return null;
    }
  }

  private boolean rewriteMessage(JsonElement message, Direction direction) {
    if (!message.isJsonObject()) {
      return false;
    }
    JsonObject msg = message.getAsJsonObject();
    String method = string(msg.get("method"));
    UriFinder finder = new UriFinder(table);
    boolean changed = false;
    if (method != null) {
      if (msg.has("id")) {
        track(msg, method, direction);
      }
      changed = findInCall(msg, method, direction, finder);
    } else if (msg.has("id")) {
      findInResponse(msg, direction, finder);
    }
    return translate(finder, direction) | changed;
  }

  private void track(JsonObject request, String method, Direction direction) {
    UriTable.MethodPaths paths = table.method(method);
    if (!paths.hasResultPaths()) {
      return;
    }
    String token = null;
    if (direction == Direction.TO_SERVER && !paths.partialResult().isEmpty()) {
      JsonObject params = object(request.get("params"));
      token = params == null ? null : PendingRequests.key(params.get("partialResultToken"));
    }
    if (token != null) {
      partialResultMethods.put(token, method);
    }
    (direction == Direction.TO_SERVER ? clientRequests : serverRequests)
        .add(request.get("id"), new Pending(method, token));
  }

  private boolean findInCall(JsonObject msg, String method, Direction direction, UriFinder finder) {
    finder.find(msg, "params", table.method(method).params());
    JsonObject params = object(msg.get("params"));
    if (params == null) {
      return false;
    }
    if (direction == Direction.TO_CLIENT && method.equals("$/progress")) {
      findInPartialResult(params, finder);
    } else if (method.equals("client/registerCapability")) {
      findInRegistrations(params, finder);
    }
    return direction == Direction.TO_SERVER && method.equals("initialize") && rewriteInitialize(params);
  }

  private void findInPartialResult(JsonObject progress, UriFinder finder) {
    String token = PendingRequests.key(progress.get("token"));
    String method = token == null ? null : partialResultMethods.get(token);
    if (method != null) {
      finder.find(progress, "value", table.method(method).partialResult());
    }
  }

  private void findInRegistrations(JsonObject params, UriFinder finder) {
    JsonElement registrations = params.get("registrations");
    if (registrations == null || !registrations.isJsonArray()) {
      return;
    }
    for (JsonElement r : registrations.getAsJsonArray()) {
      JsonObject registration = object(r);
      String method = registration == null ? null : string(registration.get("method"));
      if (method != null) {
        finder.find(registration, "registerOptions", table.method(method).registrationOptions());
      }
    }
  }

  private void findInResponse(JsonObject response, Direction direction, UriFinder finder) {
    // A response travelling to the client answers a request the client sent, and vice versa.
    Pending request = (direction == Direction.TO_CLIENT ? clientRequests : serverRequests)
        .remove(response.get("id"));
    if (request == null) {
      return;
    }
    if (request.partialResultToken() != null) {
      partialResultMethods.remove(request.partialResultToken());
    }
    finder.find(response, "result", table.method(request.method()).result());
  }

  private boolean rewriteInitialize(JsonObject params) {
    boolean changed = false;
    String rootPath = string(params.get("rootPath"));
    if (rootPath != null) {
      String remote = mapper.toRemotePath(rootPath);
      if (!remote.equals(rootPath)) {
        params.addProperty("rootPath", remote);
        changed = true;
      }
    }
    return changed;
  }

  private boolean translate(UriFinder finder, Direction direction) {
    UriTranslator.ForMessage uris = translator.forMessage();
    List<Map.Entry<UriSlot, Boolean>> keys = new ArrayList<>();
    boolean changed = false;
    for (Map.Entry<UriSlot, Boolean> slot : finder.slots().entrySet()) {
      if (slot.getKey().isKey()) {
        keys.add(slot); // Renaming a key rebuilds its object: do it once the values are settled.
      } else {
        changed = translate(slot.getKey(), slot.getValue(), direction, uris) | changed;
      }
    }
    for (Map.Entry<UriSlot, Boolean> slot : keys) {
      changed = translate(slot.getKey(), slot.getValue(), direction, uris) | changed;
    }
    return changed;
  }

  private static boolean translate(
      UriSlot slot, boolean editorMayOpen, Direction direction, UriTranslator.ForMessage uris) {
    String uri = slot.uri();
    String translated = direction == Direction.TO_SERVER
        ? uris.toServer(uri) : uris.toClient(uri, editorMayOpen);
    if (translated.equals(uri)) {
      return false;
    }
    slot.replace(translated);
    return true;
  }

  private static String string(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }

  private static JsonObject object(JsonElement e) {
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  /** Configures an {@link LspRewriter}. */
  public static final class Builder {
    private final PathMapper mapper;
    private MaterializedCache cache;
    private Predicate<Path> localExists = path -> Files.exists(path);

    private Builder(PathMapper mapper) {
      this.mapper = mapper;
    }

    /**
     * Enables read-only local copies of host-only files. Without it, remote paths outside every
     * mapping reach the editor unchanged (right when both machines share those paths, as with the
     * {@code local} destination).
     */
    public Builder hostFiles(MaterializedCache cache) {
      this.cache = cache;
      return this;
    }

    /** How to tell whether a file exists on the editor's machine; {@link Files#exists} by default. */
    public Builder localFileExists(Predicate<Path> localExists) {
      this.localExists = localExists;
      return this;
    }

    public LspRewriter build() {
      return new LspRewriter(this);
    }
  }
}

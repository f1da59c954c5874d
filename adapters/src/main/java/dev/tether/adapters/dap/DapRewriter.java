package dev.tether.adapters.dap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.tether.adapters.dap.internal.DapPathTable;
import dev.tether.adapters.dap.internal.SeqSpace;
import dev.tether.adapters.lsp.MaterializedCache;
import dev.tether.adapters.lsp.PathMapper;
import dev.tether.adapters.lsp.internal.FileUri;
import dev.tether.adapters.lsp.internal.UriTranslator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Rewrites the messages of one DAP client-to-adapter connection so that a client on this machine and
 * an adapter on the host each see their own paths. A pure class on message bodies (no I/O besides
 * copying host-only files through the {@link MaterializedCache}), so it can run wherever the bytes pass.
 *
 * <ul>
 *   <li>A message with nothing to rewrite comes back as the very same array. Anything that is not a
 *       JSON object passes unchanged.
 *   <li>Paths change where the DAP schema says a path is ({@code path-table.json}: every
 *       {@code Source.path} wherever a {@code Source} occurs, {@code Module.path} and
 *       {@code symbolFilePath}, {@code runInTerminal}'s {@code cwd}), plus the launch/attach
 *       configuration keys the adapter's catalog entry names ({@code program}, {@code cwd}, ...), in
 *       {@code launch}/{@code attach} arguments, {@code startDebugging}'s {@code configuration} and
 *       debugpy's {@code debugpyAttach} event. A value may be a plain path or a {@code file:} URI
 *       (the client's {@code pathFormat: "uri"}); each keeps its form. Debugger-level mappings the user
 *       wrote ({@code pathMappings}, {@code sourceMap}, {@code substitutePath}, {@code sourceFileMap})
 *       are never touched: they map compile-time paths inside the debugger.
 *   <li>Host files outside every mapping named by a {@code Source} (the Python standard library,
 *       {@code /usr/include}) are copied read-only into the cache and named by the copy, so the client
 *       can open the frame; the copy's path goes back to the host path on the way to the adapter.
 *   <li>{@code seq}: when the bridge inserts a message ({@link #eventToClient}, {@link #responseToAdapter}),
 *       the later messages of that direction are renumbered past it, and {@code request_seq} and
 *       {@code cancel}'s {@code requestId} are translated back, so each side sees one consistent
 *       numbering. Until the first insertion nothing is renumbered.
 * </ul>
 *
 * <p>Threading: {@link #clientToAdapter} is called by one thread and {@link #adapterToClient} by
 * another, each in message order; the inserting methods may be called from either. {@link #adapterToClient}
 * may block on remote I/O while it copies a host-only file.
 */
public final class DapRewriter {
  private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
  /** Launch configuration keys that name paths when the catalog entry says nothing. */
  public static final List<String> DEFAULT_PATH_KEYS = List.of("program", "cwd");
  private static final Set<String> CONFIGURATION_REQUESTS = Set.of("launch", "attach");

  private final DapPathTable table = DapPathTable.standard();
  private final UriTranslator translator;
  private final List<String> pathKeys;
  private final SeqSpace toAdapter = new SeqSpace();
  private final SeqSpace toClient = new SeqSpace();
  /** The client's requests not answered yet (its own seq to command), to fail them if the adapter goes. */
  private final Map<Long, String> unanswered = new ConcurrentHashMap<>();

  private DapRewriter(Builder builder) {
    this.translator = new UriTranslator(builder.mapper, builder.cache, builder.localExists);
    this.pathKeys = List.copyOf(builder.pathKeys);
  }

  public static Builder builder(PathMapper mapper) {
    return new Builder(mapper);
  }

  /** A message from the client, as the adapter must get it. */
  public byte[] clientToAdapter(byte[] body) {
    JsonObject message = parse(body);
    if (message == null) {
      return body;
    }
    UriTranslator.ForMessage paths = translator.forMessage();
    DapPathTable.PathFunction toHost = (path, owner) -> translate(path, uri -> paths.toServer(uri));
    if ("request".equals(string(message, "type"))) {
      rememberUnanswered(message, string(message, "command")); // by the client's own seq
    }
    boolean changed = renumber(message, toAdapter, toClient);
    String type = string(message, "type");
    if ("request".equals(type)) {
      String command = string(message, "command");
      JsonElement arguments = message.get("arguments");
      changed |= table.rewriteRequest(command, arguments, toHost);
      if (CONFIGURATION_REQUESTS.contains(command)) {
        changed |= configuration(arguments, toHost);
      }
      if ("cancel".equals(command)) {
        changed |= cancelTarget(arguments);
      }
    } else if ("response".equals(type)) {
      changed |= table.rewriteResponse(string(message, "command"), message.get("body"), toHost);
    }
    return changed ? serialize(message) : body;
  }

  /** A message from the adapter, as the client must get it. */
  public byte[] adapterToClient(byte[] body) {
    JsonObject message = parse(body);
    if (message == null) {
      return body;
    }
    UriTranslator.ForMessage paths = translator.forMessage();
    DapPathTable.PathFunction toLocal = (path, owner) -> translate(path, uri -> paths.toClient(uri, "Source".equals(owner)));
    boolean changed = renumber(message, toClient, toAdapter);
    String type = string(message, "type");
    if ("response".equals(type)) {
      if (isNumber(message.get("request_seq"))) {
        unanswered.remove(message.get("request_seq").getAsLong());
      }
      changed |= table.rewriteResponse(string(message, "command"), message.get("body"), toLocal);
    } else if ("event".equals(type)) {
      String event = string(message, "event");
      changed |= table.rewriteEvent(event, message.get("body"), toLocal);
      if ("debugpyAttach".equals(event)) {
        changed |= configuration(message.get("body"), toLocal);
      }
    } else if ("request".equals(type)) {
      String command = string(message, "command");
      JsonElement arguments = message.get("arguments");
      changed |= table.rewriteRequest(command, arguments, toLocal);
      if ("startDebugging".equals(command) && arguments != null && arguments.isJsonObject()) {
        changed |= configuration(arguments.getAsJsonObject().get("configuration"), toLocal);
      }
    }
    return changed ? serialize(message) : body;
  }

  /** An event the bridge sends the client (connection trouble), numbered into the adapter's sequence. */
  public byte[] eventToClient(String event, JsonObject body) {
    JsonObject message = new JsonObject();
    message.addProperty("seq", toClient.insert());
    message.addProperty("type", "event");
    message.addProperty("event", event);
    message.add("body", body);
    return serialize(message);
  }

  /**
   * The adapter is gone: an error response carrying {@code reason} for each request of the client it
   * had not answered ({@code initialize}, {@code launch}...), so no client waits forever.
   */
  public List<byte[]> failUnanswered(String reason) {
    List<byte[]> responses = new ArrayList<>();
    for (Long requestSeq : List.copyOf(unanswered.keySet())) {
      String command = unanswered.remove(requestSeq);
      if (command != null) {
        responses.add(errorToClient(requestSeq, command, reason));
      }
    }
    return responses;
  }

  private byte[] errorToClient(long requestSeq, String command, String reason) {
    JsonObject message = new JsonObject();
    message.addProperty("seq", toClient.insert());
    message.addProperty("type", "response");
    message.addProperty("request_seq", requestSeq);
    message.addProperty("success", false);
    message.addProperty("command", command);
    message.addProperty("message", reason);
    JsonObject error = new JsonObject();
    error.addProperty("id", 1);
    error.addProperty("format", reason.replace("{", "(").replace("}", ")"));
    error.addProperty("showUser", true);
    JsonObject body = new JsonObject();
    body.add("error", error);
    message.add("body", body);
    return serialize(message);
  }

  private void rememberUnanswered(JsonObject message, String command) {
    if (command != null && isNumber(message.get("seq")) && unanswered.size() < 10_000) {
      unanswered.put(message.get("seq").getAsLong(), command);
    }
  }

  /**
   * The bridge's answer to a request the adapter sent and the bridge served itself
   * ({@code runInTerminal}), numbered into the client's sequence.
   *
   * @param error null for success, else the reason shown to the user
   */
  public byte[] responseToAdapter(JsonObject request, JsonObject body, String error) {
    JsonObject message = new JsonObject();
    message.addProperty("seq", toAdapter.insert());
    message.addProperty("type", "response");
    message.add("request_seq", request.get("seq"));
    message.addProperty("success", error == null);
    message.add("command", request.get("command"));
    if (error != null) {
      message.addProperty("message", error);
    }
    if (body != null) {
      message.add("body", body);
    }
    return serialize(message);
  }

  /** The launch/attach configuration keys the adapter's entry names as paths. */
  private boolean configuration(JsonElement arguments, DapPathTable.PathFunction function) {
    if (arguments == null || !arguments.isJsonObject()) {
      return false;
    }
    JsonObject object = arguments.getAsJsonObject();
    boolean changed = false;
    for (String key : pathKeys) {
      changed |= DapPathTable.replaceString(object, key, object.get(key), function, "configuration");
    }
    return changed;
  }

  /** Shifts {@code seq} into the wire's numbering and {@code request_seq} back into the other side's. */
  private static boolean renumber(JsonObject message, SeqSpace mine, SeqSpace theirs) {
    boolean changed = false;
    JsonElement seq = message.get("seq");
    if (isNumber(seq)) {
      long original = seq.getAsLong();
      long emitted = mine.emit(original, "request".equals(string(message, "type")));
      if (emitted != original) {
        message.addProperty("seq", emitted);
        changed = true;
      }
    }
    JsonElement requestSeq = message.get("request_seq");
    if ("response".equals(string(message, "type")) && isNumber(requestSeq)) {
      long onWire = requestSeq.getAsLong();
      long original = theirs.original(onWire);
      if (original != onWire) {
        message.addProperty("request_seq", original);
        changed = true;
      }
    }
    return changed;
  }

  private boolean cancelTarget(JsonElement arguments) {
    if (arguments == null || !arguments.isJsonObject() || !isNumber(arguments.getAsJsonObject().get("requestId"))) {
      return false;
    }
    JsonObject object = arguments.getAsJsonObject();
    long original = object.get("requestId").getAsLong();
    long emitted = toAdapter.emitted(original);
    if (emitted == original) {
      return false;
    }
    object.addProperty("requestId", emitted);
    return true;
  }

  /**
   * One path value through the URI translator: a {@code file:} URI as is, a plain absolute path as the
   * URI it names and back to a plain path; anything else (a relative path, a name) unchanged.
   */
  private static String translate(String value, java.util.function.UnaryOperator<String> uris) {
    if (value.regionMatches(true, 0, "file:", 0, 5)) {
      return uris.apply(value);
    }
    if (!value.startsWith("/")) {
      return value;
    }
    String uri;
    try {
      uri = FileUri.format(FileUri.toUriPath(value));
    } catch (IllegalArgumentException notAPath) {
      return value;
    }
    FileUri translated = FileUri.parse(uris.apply(uri));
    if (translated == null) {
      return value;
    }
    String path = FileUri.toPlainPath(translated.path());
    return path.equals(FileUri.toUriPath(value)) ? value : path;
  }

  /** The message as a JSON object, or null when it is not one. */
  public static JsonObject parse(byte[] body) {
    try {
      JsonElement root = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
      return root.isJsonObject() ? root.getAsJsonObject() : null;
    } catch (JsonParseException e) {
      return null;
    }
  }

  /** Whether {@code message} is a request from the adapter with this command. */
  public static boolean isRequest(JsonObject message, String command) {
    return message != null && "request".equals(string(message, "type")) && command.equals(string(message, "command"));
  }

  public static byte[] serialize(JsonObject message) {
    return GSON.toJson(message).getBytes(StandardCharsets.UTF_8);
  }

  static String string(JsonObject object, String member) {
    JsonElement value = object.get(member);
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString() ? value.getAsString() : null;
  }

  private static boolean isNumber(JsonElement value) {
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber();
  }

  /** Configures a rewriter. */
  public static final class Builder {
    private final PathMapper mapper;
    private MaterializedCache cache;
    private Predicate<Path> localExists = Files::exists;
    private List<String> pathKeys = DEFAULT_PATH_KEYS;

    private Builder(PathMapper mapper) {
      this.mapper = mapper;
    }

    /** Copies host-only files named by a {@code Source} into {@code cache}; without it they pass unchanged. */
    public Builder hostFiles(MaterializedCache cache) {
      this.cache = cache;
      return this;
    }

    /** For tests: whether a file exists on the client's machine. */
    public Builder localFileExists(Predicate<Path> localExists) {
      this.localExists = localExists;
      return this;
    }

    /** The launch/attach configuration keys that hold paths (the catalog entry's {@code pathKeys}). */
    public Builder pathKeys(List<String> keys) {
      this.pathKeys = keys;
      return this;
    }

    public DapRewriter build() {
      return new DapRewriter(this);
    }
  }
}

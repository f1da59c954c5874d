package dev.tether.local.demo;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tiny project the demo edits, in the language of the server it runs: its files, the file the
 * editor opens, and where in it to hover and jump ({@code symbol}) and to complete ({@code member}).
 *
 * @param server     the catalog name passed to {@code tether lsp --server}
 * @param languageId the LSP language id of {@code openFile}
 * @param files      relative path to content
 * @param openFile   the file the editor opens
 * @param symbol     a use of a function defined in another file: hover and definition go here
 * @param member     just after a {@code .}: completion goes here
 */
record DemoProject(String server, String languageId, Map<String, String> files, String openFile,
    Marker symbol, Marker member) {

  /** A position in {@code openFile}, with the text shown for it in the report. */
  record Marker(String label, int line, int character) {
    /** Where {@code offset} characters into the first occurrence of {@code needle} in {@code text} is. */
    static Marker find(String text, String needle, int offset, String label) {
      int index = text.indexOf(needle);
      if (index < 0) {
        throw new IllegalArgumentException(needle + " is not in the demo file");
      }
      int at = index + offset;
      int lineStart = text.lastIndexOf('\n', at - 1) + 1;
      int line = (int) text.substring(0, lineStart).chars().filter(c -> c == '\n').count();
      return new Marker(label, line, at - lineStart);
    }

    JsonObject json() {
      JsonObject position = new JsonObject();
      position.addProperty("line", line);
      position.addProperty("character", character);
      return position;
    }
  }

  static DemoProject forServer(String server) {
    return switch (server) {
      case "pylsp" -> python();
      case "clangd" -> c();
      default -> throw new IllegalArgumentException("the demo knows pylsp and clangd, not " + server);
    };
  }

  private static DemoProject python() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("greet.py", """
        \"\"\"Greetings for the Tether demo.\"\"\"


        def greet(name: str) -> str:
            \"\"\"Return a friendly greeting for name.\"\"\"
            return "Hello, " + name + "!"
        """);
    String main = """
        import os

        from greet import greet

        message = greet("tether")
        print(message.upper())
        """;
    files.put("main.py", main);
    return new DemoProject("pylsp", "python", files, "main.py",
        Marker.find(main, "greet(\"tether\")", 1, "greet"),
        Marker.find(main, "message.upper", "message.".length(), "message."));
  }

  private static DemoProject c() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("compile_flags.txt", "-Wall\n-std=c11\n");
    files.put("greet.h", """
        #ifndef GREET_H
        #define GREET_H

        struct point {
          int x;
          int y;
        };

        // Returns a friendly greeting for name.
        const char *greet(const char *name);

        #endif
        """);
    files.put("greet.c", """
        #include "greet.h"

        const char *greet(const char *name) {
          (void)name;
          return "Hello!";
        }
        """);
    String main = """
        #include <stdio.h>
        #include "greet.h"

        int main(void) {
          struct point p = {1, 2};
          int unused;
          printf("%s %d\\n", greet("tether"), p.x);
          return 0;
        }
        """;
    files.put("main.c", main);
    return new DemoProject("clangd", "c", files, "main.c",
        Marker.find(main, "greet(\"tether\")", 1, "greet"),
        Marker.find(main, "p.x", "p.".length(), "p."));
  }

  /** Writes the project under {@code dir}, creating it. */
  void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
    }
  }

  String openFileText() {
    return files.get(openFile);
  }
}

package dev.tether.conformance.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.TetherCli;
import dev.tether.conformance.ws.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may use {@code tether web}'s endpoint (docs/SECURITY.md): the holder of the printed one-time link,
 * once and in time, then the browser that redeemed it, from the page's own origin, addressed by the
 * listen address. Everyone else is tried here with a plain socket against the real process, and
 * refused before anything is served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TetherWebSecurityTest {
  Path base;
  Path workspace;
  TetherCli tether;
  WebProcess web;
  String cookie;

  @BeforeAll
  void start() throws Exception {
    base = Files.createTempDirectory("tether-web-security-");
    workspace = Files.createDirectories(base.resolve("workspace"));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    web = WebProcess.start(tether, workspace, base.resolve("logs"), 60, "local");
    RawHttp redeemed = RawHttp.get(web.port, "/t/" + web.ticket, Map.of());
    assertEquals(303, redeemed.status(), redeemed.toString());
    assertEquals("/", redeemed.headers().get("location"));
    String setCookie = redeemed.headers().get("set-cookie");
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"), setCookie);
    cookie = setCookie.substring(0, setCookie.indexOf(';'));
  }

  @AfterAll
  void stop() {
    try {
      if (web != null) {
        web.close();
      }
      tether.close();
    } finally {
      ServeProcess.deleteTree(base);
    }
  }

  @Test
  void theRedeemedCookieGetsThePageAndNothingElseDoes() throws Exception {
    RawHttp page = RawHttp.get(web.port, "/", Map.of("Cookie", cookie));
    assertEquals(200, page.status());
    assertTrue(page.body().contains("workbench.js"), page.body());
    RawHttp none = RawHttp.get(web.port, "/", Map.of());
    assertEquals(401, none.status());
    assertTrue(none.body().contains("Not signed in") && none.body().contains("run <code>tether web</code> again"), none.body());
    RawHttp forged = RawHttp.get(web.port, "/config.json", Map.of("Cookie", "tether-web-" + web.port + "=" + "0".repeat(64)));
    assertEquals(401, forged.status());
  }

  @Test
  void aWrongTicketGetsAPageThatSaysSo() throws Exception {
    RawHttp wrong = RawHttp.get(web.port, "/t/" + "ab".repeat(32), Map.of());
    assertEquals(403, wrong.status());
    assertTrue(wrong.body().contains("This link is not valid") && wrong.body().contains("Run <code>tether web</code> again"), wrong.body());
    assertFalse(wrong.headers().containsKey("set-cookie"));
  }

  @Test
  void aReusedTicketGetsAPageThatSaysSo() throws Exception {
    RawHttp again = RawHttp.get(web.port, "/t/" + web.ticket, Map.of());
    assertEquals(403, again.status());
    assertTrue(again.body().contains("This link was already used") && again.body().contains("Run <code>tether web</code> again"),
        again.body());
    assertFalse(again.headers().containsKey("set-cookie"));
  }

  @Test
  void anExpiredTicketGetsAPageThatSaysSo() throws Exception {
    // A lifetime of 0 s: the link is past its lifetime by the time anyone can read it.
    try (WebProcess expiring = WebProcess.start(tether, workspace, base.resolve("logs"), 0, "local")) {
      RawHttp late = RawHttp.get(expiring.port, "/t/" + expiring.ticket, Map.of());
      assertEquals(403, late.status());
      assertTrue(late.body().contains("This link has expired") && late.body().contains("Run <code>tether web</code> again"), late.body());
      assertFalse(late.headers().containsKey("set-cookie"));
    }
  }

  @Test
  void aRebindingHostIsRefusedEvenWithTheTicket() throws Exception {
    try (WebProcess fresh = WebProcess.start(tether, workspace, base.resolve("logs"), 60, "local")) {
      RawHttp rebound = RawHttp.get(fresh.port, "/t/" + fresh.ticket, Map.of("Host", "attacker.example:" + fresh.port));
      assertEquals(421, rebound.status(), rebound.toString());
      // the ticket was not spent by the refused request
      assertEquals(303, RawHttp.get(fresh.port, "/t/" + fresh.ticket, Map.of()).status());
    }
  }

  @Test
  void aWebSocketNeedsTheCookieThePagesOriginAndTheListenHost() throws Exception {
    String origin = web.origin();
    RawHttp noCookie = RawHttp.upgrade(web.port, Map.of("Origin", origin));
    assertEquals(401, noCookie.status(), noCookie.toString());
    RawHttp foreign = RawHttp.upgrade(web.port, Map.of("Origin", "http://attacker.example", "Cookie", cookie));
    assertEquals(403, foreign.status(), foreign.toString());
    assertTrue(foreign.body().contains("is not this page's origin"), foreign.body());
    RawHttp noOrigin = RawHttp.upgrade(web.port, Map.of("Cookie", cookie));
    assertEquals(403, noOrigin.status(), noOrigin.toString());
    RawHttp otherPort = RawHttp.upgrade(web.port, Map.of("Origin", "http://127.0.0.1:1", "Cookie", cookie));
    assertEquals(403, otherPort.status(), otherPort.toString());
    RawHttp rebound = RawHttp.upgrade(web.port, Map.of("Origin", "http://attacker.example:" + web.port, "Cookie", cookie,
        "Host", "attacker.example:" + web.port));
    assertEquals(421, rebound.status(), rebound.toString());
    // and the one that may: proves the refusals above were about the header each one got wrong
    RawHttp allowed = RawHttp.upgrade(web.port, Map.of("Origin", origin, "Cookie", cookie));
    assertEquals(101, allowed.status(), allowed.toString());
    assertEquals("tether.v1", allowed.headers().get("sec-websocket-protocol"));
  }

  @Test
  void aNonLoopbackListenAddressIsRefused() {
    TetherCli.Result result = tether.run("web", "local", "--listen", "0.0.0.0:0");
    assertEquals(2, result.exit(), result.toString());
    assertTrue(result.stderr().contains("--listen 0.0.0.0:0 is not a loopback address"), result.stderr());
    assertEquals("", result.stdout());
  }

  @Test
  void neitherTicketsNorCookiesReachTheLog() throws Exception {
    RawHttp.get(web.port, "/t/" + "cd".repeat(32), Map.of("Host", "attacker.example:" + web.port));
    RawHttp.upgrade(web.port, Map.of("Origin", "http://attacker.example", "Cookie", cookie));
    String log = web.stderrText();
    assertFalse(log.contains(web.ticket), log);
    assertFalse(log.contains("cd".repeat(32)), log);
    assertFalse(log.contains(cookie.substring(cookie.indexOf('=') + 1)), log);
  }
}

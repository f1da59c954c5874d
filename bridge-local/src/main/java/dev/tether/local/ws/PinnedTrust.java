package dev.tether.local.ws;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts exactly one server certificate, named by the SHA-256 of its DER encoding
 * ({@code SHA256:HEX}, as {@code tether-remote serve} prints it; colons and case do not matter).
 * The pin replaces both the CA chain and the host-name check: a self-signed certificate has neither.
 * The fingerprint last seen is kept for the error message when it differs.
 */
final class PinnedTrust implements X509TrustManager {
  private final byte[] pinned;
  private volatile String seen;

  PinnedTrust(String fingerprint) {
    this.pinned = parse(fingerprint);
  }

  static byte[] parse(String fingerprint) {
    String hex = fingerprint.strip();
    if (hex.regionMatches(true, 0, "SHA256:", 0, 7)) {
      hex = hex.substring(7);
    }
    hex = hex.replace(":", "").toLowerCase(Locale.ROOT);
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("--fingerprint takes SHA256: and 64 hex digits, as tether-remote serve"
          + " prints it, not '" + fingerprint + "'");
    }
    return HexFormat.of().parseHex(hex);
  }

  static String fingerprint(X509Certificate certificate) throws CertificateException {
    try {
      return "SHA256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new CertificateException(e);
    }
  }

  /** The fingerprint of the certificate the server presented last, or null. */
  String seen() {
    return seen;
  }

  SSLContext context() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {this}, new SecureRandom());
    return context;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server presented no certificate");
    }
    String fingerprint = fingerprint(chain[0]);
    seen = fingerprint;
    if (!MessageDigest.isEqual(pinned, HexFormat.of().parseHex(fingerprint.substring(7)))) {
      throw new CertificateException("the server's certificate is " + fingerprint + ", not the pinned one");
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a client certificate is not expected here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}

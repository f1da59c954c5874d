package dev.tether.conformance;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Internal means internal: the session library's machinery ({@code dev.tether.mux.internal}: frames,
 * codecs, windows) is used by the library alone. Every other module (adapters, both bridges, these
 * suites) goes through the public API in {@code dev.tether.mux}, so the machinery can change freely.
 * This module sees every module's classes, so the rule covers them all.
 */
@AnalyzeClasses(packages = "dev.tether")
class MuxInternalsTest {
  @ArchTest
  static final ArchRule nothingOutsideTheMuxUsesItsInternals = noClasses()
      .that().resideOutsideOfPackage("dev.tether.mux..")
      .should().dependOnClassesThat().resideInAPackage("dev.tether.mux.internal..")
      .because("dev.tether.mux.internal is the session library's machinery; use the public API in dev.tether.mux");
}

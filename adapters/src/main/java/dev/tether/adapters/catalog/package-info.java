/**
 * The catalog of language servers and debug adapters Tether starts by name, built in and extended by
 * the user's {@code servers.json}; see {@link dev.tether.adapters.catalog.ServerCatalog}.
 */
package dev.tether.adapters.catalog;

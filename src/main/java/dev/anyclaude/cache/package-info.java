/**
 * The response cache: canonical request keys, policy and directives, the memory and Redis tiers, and the stored event
 * streams. Null only where marked {@code @Nullable}.
 */
@NullMarked
package dev.anyclaude.cache;

import org.jspecify.annotations.NullMarked;

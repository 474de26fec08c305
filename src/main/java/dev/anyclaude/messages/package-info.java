/**
 * The Anthropic Messages vocabulary: requests, content blocks, stream events, usage, errors. Null only where marked
 * {@code @Nullable}.
 */
@NullMarked
package dev.anyclaude.messages;

import org.jspecify.annotations.NullMarked;

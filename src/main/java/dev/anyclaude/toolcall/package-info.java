/**
 * Tool-call formats: how a model writes tool calls in its text, and how they are parsed back. Null only where marked
 * {@code @Nullable}.
 */
@NullMarked
package dev.anyclaude.toolcall;

import org.jspecify.annotations.NullMarked;

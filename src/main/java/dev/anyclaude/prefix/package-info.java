/**
 * Prompt prefixes: how a prompt's parts hash, where a conversation's prompt diverged, and how much of it a backend
 * reused. Null only where marked {@code @Nullable}.
 */
@NullMarked
package dev.anyclaude.prefix;

import org.jspecify.annotations.NullMarked;

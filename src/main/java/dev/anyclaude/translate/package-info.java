/**
 * Translation between the Anthropic Messages API and a backend's wire (OpenAI chat, raw prompt text). Null only where
 * marked {@code @Nullable}.
 */
@NullMarked
package dev.anyclaude.translate;

import org.jspecify.annotations.NullMarked;

/**
 * Chat templates: a conversation rendered as the prompt text a model was trained on. Null only where marked {@code
 * @Nullable}.
 */
@NullMarked
package dev.anyclaude.template;

import org.jspecify.annotations.NullMarked;

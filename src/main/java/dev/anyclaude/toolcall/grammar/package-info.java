/** Grammars that constrain a model's output to a tool-call format. Null only where marked {@code @Nullable}. */
@NullMarked
package dev.anyclaude.toolcall.grammar;

import org.jspecify.annotations.NullMarked;

// Simulators build event JSON by concatenation, which V8 keeps as a rope (cons) string.
// Reading one character makes it flatten the string now, once: a big log then takes about
// half the memory and GC work, and joining pages of events stays cheap.

/** `s`, flattened; returns it for use in expressions. */
export function flattened(s: string): string {
  s.charCodeAt(s.length >> 1);
  return s;
}

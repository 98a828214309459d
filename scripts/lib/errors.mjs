// The error the stack's scripts report by its message alone: something the user can act on
// (a missing package, a port in use), not a bug with a stack trace.
export class StackError extends Error {}

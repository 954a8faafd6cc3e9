export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
export const CONSOLE_KAFKA = Symbol('CONSOLE_KAFKA');

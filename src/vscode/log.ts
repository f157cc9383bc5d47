/**
 * Adapts the shared {@link Logger} to a VS Code `LogOutputChannel` (or anything with the same level
 * methods). Every line, including error stacks and extra arguments, passes through `maskSecrets`.
 */
import { maskSecrets, type Logger } from '../util/log';

/** The level methods of `vscode.LogOutputChannel` this adapter writes to. */
export interface LogSink {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

function render(message: string | Error, args: unknown[]): string {
  const text = message instanceof Error ? (message.stack ?? `${message.name}: ${message.message}`) : message;
  const extra = args.map((a) => {
    if (a instanceof Error) return a.stack ?? a.message;
    if (typeof a === 'string') return a;
    try {
      return JSON.stringify(a);
    } catch {
      return String(a);
    }
  });
  return maskSecrets([text, ...extra].join(' '));
}

export function channelLogger(sink: LogSink): Logger {
  return {
    debug: (m, ...a) => sink.debug(render(m, a)),
    info: (m, ...a) => sink.info(render(m, a)),
    warn: (m, ...a) => sink.warn(render(m, a)),
    error: (m, ...a) => sink.error(render(m, a)),
  };
}

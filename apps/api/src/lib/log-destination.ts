/** Unwritten log text beyond which new lines are dropped rather than held in memory. */
export const MAX_LOG_BACKLOG_BYTES = 8 * 1024 * 1024

/**
 * Where log lines go: an output stream (stdout), written without ever holding up the process.
 *
 * pino's own destination retries a full pipe for as long as it stays full, also synchronously
 * when the process exits: a server whose log reader had stopped reading (a stopped or vanished
 * parent whose pipe was still open) answered SIGTERM, closed everything, and then never exited.
 * Here lines are handed to the stream, which queues what the pipe cannot take yet; the queue is
 * abandoned at exit. When nobody reads, lines beyond `maxBacklog` bytes are dropped (and counted
 * once writing resumes); a broken pipe or other write error ends logging, not the process.
 */
export function logDestination(
  out: NodeJS.WritableStream & { writableLength: number } = process.stdout,
  maxBacklog = MAX_LOG_BACKLOG_BYTES,
) {
  let broken = false
  let dropped = 0
  out.on('error', () => {
    broken = true
  })
  return {
    write(line: string) {
      if (broken) return
      if (out.writableLength > maxBacklog) {
        dropped += 1
        return
      }
      try {
        if (dropped > 0) {
          out.write(
            `${JSON.stringify({ level: 40, time: Date.now(), msg: `${dropped} log lines dropped: the log output was not being read` })}\n`,
          )
          dropped = 0
        }
        out.write(line)
      } catch {
        broken = true
      }
    },
  }
}

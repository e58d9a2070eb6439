import { Worker } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'

export interface ShutdownOptions {
  /** Longest a stop may take; at this point the process exits whatever is still running. */
  timeoutMs: number
  /** Runs just before the process exits, on every path (releases the data folder lock). */
  beforeExit?: () => void
}

/** Time left for closing the database and flushing after connections have been cut. */
function cutBeforeDeadline(timeoutMs: number) {
  return Math.min(1_000, Math.floor(timeoutMs / 4))
}

/**
 * A last resort that does not need this thread: if the process is still there shortly after
 * the deadline (its main thread stuck in a write to a terminal that stopped reading, say), it is
 * killed. A worker has an event loop of its own, so its timer fires whatever the main thread does.
 */
function startWatchdog(afterMs: number) {
  try {
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads')
       setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.afterMs)`,
      { eval: true, workerData: { pid: process.pid, afterMs } },
    )
    worker.on('error', () => {})
    worker.unref()
  } catch {}
}

/**
 * SIGTERM and SIGINT stop the process within `timeoutMs`, always: no new connections, requests
 * in flight may finish, queued last-use records are written and the database is closed.
 * Connections still open shortly before the deadline are cut so that closing can complete, and
 * at the deadline the process exits regardless. Repeated signals (a terminal and pnpm may both
 * forward Ctrl-C) do not cut the grace period short.
 */
export function stopOnSignals(app: FastifyInstance, options: ShutdownOptions) {
  const { timeoutMs, beforeExit = () => {} } = options
  let stopping = false

  const exit = (code: number) => {
    try {
      beforeExit()
    } finally {
      process.exit(code)
    }
  }

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    startWatchdog(timeoutMs + 2_000)
    app.log.info({ signal, timeoutMs }, 'shutting down')
    // Deliberately not unref'd: these timers are what guarantees the exit.
    setTimeout(() => {
      app.log.warn('shutdown: cutting the connections still open')
      app.server.closeAllConnections()
    }, timeoutMs - cutBeforeDeadline(timeoutMs))
    setTimeout(() => {
      app.log.error({ timeoutMs }, 'shutdown did not complete in time; exiting')
      exit(1)
    }, timeoutMs)
    app.close().then(
      () => exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        exit(1)
      },
    )
  }

  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

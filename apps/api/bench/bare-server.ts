/**
 * The floor the API is compared with: a bare Fastify route answering what `/healthz` answers, no
 * plugins, no hooks, no headers of its own. Same IPC protocol as server.ts.
 */
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/healthz', async () => ({ status: 'ok' }))
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0

process.on('message', async (message: { type: string }) => {
  if (message.type === 'cpu') process.send?.({ type: 'cpu', ...process.cpuUsage() })
  if (message.type === 'stop') {
    await app.close()
    process.exit(0)
  }
})
process.send?.({ type: 'ready', port })

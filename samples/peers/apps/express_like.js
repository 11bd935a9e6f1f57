// A plain node http server that answers errors the way Express's default error handler
// (pillarjs/finalhandler index.js, used by express 4.x/5.x) does: outside NODE_ENV=production
// the body is err.stack, HTML-escaped, "\n" -> "<br>", two spaces -> " &nbsp;", wrapped in
// the createHtmlDocument() page of finalhandler <= 1.2 (`<title>Error</title>`, `<pre>`).
// The npm registry is not reachable here, so express itself cannot be installed.
// Usage: NODE_ENV=development|production node express_like.js PORT
'use strict'
const http = require('http')
const env = process.env.NODE_ENV || 'development'

function escapeHtml (s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

function createHtmlDocument (message) {
  const body = escapeHtml(message).replace(/\n/g, '<br>').replace(/\x20{2}/g, ' &nbsp;')
  return '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<title>Error</title>\n</head>\n<body>\n<pre>' + body + '</pre>\n</body>\n</html>\n'
}

function send (res, status, message) {
  const body = createHtmlDocument(message)
  res.statusCode = status
  res.setHeader('Content-Security-Policy', "default-src 'none'")
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'))
  res.end(body, 'utf8')
}

function order (id) {
  const orders = { 1: { total: 12.5 } }
  return orders[id].customer.name
}

http.createServer((req, res) => {
  const url = req.url.split('?')[0]
  if (url === '/') {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
    res.end('hello from the shop\n')
    return
  }
  const m = /^\/orders\/(\d+)$/.exec(url)
  if (m) {
    try {
      res.end(JSON.stringify(order(Number(m[1]))))
    } catch (err) {
      console.error(err.stack)
      const status = 500
      send(res, status, env === 'production' ? http.STATUS_CODES[status] : err.stack)
    }
    return
  }
  send(res, 404, 'Cannot ' + req.method + ' ' + url)
}).listen(Number(process.argv[2]), '127.0.0.1', () => {
  console.log('listening on http://127.0.0.1:' + process.argv[2] + ' (NODE_ENV=' + env + ')')
})

// The HTTP ceiling: a bare node:http server answering every request with the exact dashboard HTML
// bytes captured from the app (file in CEILING_HTML_FILE). No routing, no cookies, no database:
// what Node's HTTP stack alone can serve on this machine for a page of that size.
//   CEILING_HTML_FILE=… PORT=… node --import tsx bench/lib/ceiling-static.ts
import fs from "node:fs";
import { createServer } from "node:http";

const html = fs.readFileSync(process.env.CEILING_HTML_FILE!);
const length = String(html.length);

createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": length });
  res.end(html);
}).listen(Number(process.env.PORT), "127.0.0.1");

//! A tiny static HTTP server for `www/` on 127.0.0.1, with a strict Content-Security-Policy.

use crate::site;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The policy sent with every response: only our own scripts, styles and wasm.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Longest request head (request line and headers) we accept.
const MAX_HEAD: usize = 16 * 1024;

/// `cargo xtask serve`: builds the site unless `build` is false, then serves `www/` until Ctrl-C.
pub fn run(root: &Path, port: u16, build: bool) -> Result<(), String> {
    let www = root.join("www");
    // Bind first, so a taken port is reported before a long build.
    let listener = bind(port)?;
    if build {
        site::build(root)?;
    } else if !www.join("pkg/selfpage_web.js").is_file() {
        eprintln!("warning: www/pkg/selfpage_web.js is missing; run `cargo xtask serve` without --no-build");
    }
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the server address: {e}"))?;
    println!(
        "Serving {} at http://{addr}/  (Ctrl-C to stop)",
        www.display()
    );
    serve(listener, www, true);
    Ok(())
}

/// Binds 127.0.0.1:`port`, explaining what to do if the port is taken.
pub fn bind(port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => {
            let next = if port == u16::MAX { 8081 } else { port + 1 };
            format!("port {port} is in use; try cargo xtask serve --port {next}")
        }
        io::ErrorKind::PermissionDenied => {
            format!("port {port} needs privileges; try cargo xtask serve --port 8080")
        }
        _ => format!("cannot listen on 127.0.0.1:{port}: {e}"),
    })
}

/// Serves `www` on a free loopback port from a background thread; returns its address.
pub fn spawn(www: PathBuf) -> Result<SocketAddr, String> {
    let listener = bind(0)?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the server address: {e}"))?;
    std::thread::spawn(move || serve(listener, www, false));
    Ok(addr)
}

/// Accepts connections forever, one thread each; logs every request if `verbose`, else errors only.
fn serve(listener: TcpListener, www: PathBuf, verbose: bool) {
    let root = www.canonicalize().unwrap_or(www);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        std::thread::spawn(move || {
            if let Err(e) = handle(stream, &root, verbose) {
                if verbose {
                    eprintln!("connection error: {e}");
                }
            }
        });
    }
}

/// A response about to be written.
struct Response {
    /// Status code and reason, e.g. `"404 Not Found"`.
    status: &'static str,
    /// Value of Content-Type.
    content_type: &'static str,
    /// The body (omitted on the wire for HEAD).
    body: Vec<u8>,
    /// Extra header lines, each without CRLF.
    extra: Vec<String>,
}

impl Response {
    /// A plain-text response for an error status.
    fn error(status: &'static str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{status}\n").into_bytes(),
            extra: Vec::new(),
        }
    }
}

/// Reads one request from `stream` and answers it.
fn handle(mut stream: TcpStream, root: &Path, verbose: bool) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let head = read_head(&mut stream)?;
    if head.is_empty() {
        // A connection opened and closed without a request (browsers pre-connect).
        return Ok(());
    }
    let request_line = head.lines().next().unwrap_or_default().to_string();
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = match method {
        "GET" | "HEAD" => respond(root, target),
        _ => {
            let mut r = Response::error("405 Method Not Allowed");
            r.extra.push("Allow: GET, HEAD".into());
            r
        }
    };
    if verbose || !response.status.starts_with('2') {
        eprintln!("{method} {target} -> {}", response.status);
    }
    write_response(&mut stream, &response, method == "HEAD")
}

/// Reads the request line and headers (up to the blank line).
fn read_head(stream: &mut TcpStream) -> io::Result<String> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        if n == 0 || line == "\r\n" || line == "\n" {
            return Ok(head);
        }
        head.push_str(&line);
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too long",
            ));
        }
    }
}

/// Writes status line, headers (CSP on every response) and body.
fn write_response(stream: &mut TcpStream, r: &Response, head_only: bool) -> io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    for line in &r.extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

/// The response for GET `target` under `root`.
fn respond(root: &Path, target: &str) -> Response {
    let path = match resolve(root, target) {
        Ok(path) => path,
        Err(status) => return Response::error(status),
    };
    if path.is_dir() {
        // Relative links in dir/index.html need the trailing slash.
        let mut r = Response::error("301 Moved Permanently");
        let bare = target.split(['?', '#']).next().unwrap_or("/");
        r.extra.push(format!("Location: {bare}/"));
        return r;
    }
    match std::fs::read(&path) {
        Ok(body) => Response {
            status: "200 OK",
            content_type: content_type(&path),
            body,
            extra: Vec::new(),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Response::error("404 Not Found"),
        Err(_) => Response::error("500 Internal Server Error"),
    }
}

/// Maps a request target to a file under `root`: drops the query and fragment, decodes `%XX`,
/// serves `index.html` for directories ending in `/`, refuses `..`, dot-files and anything
/// that resolves (through symlinks) outside `root`.
fn resolve(root: &Path, target: &str) -> Result<PathBuf, &'static str> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err("400 Bad Request");
    }
    let decoded = percent_decode(path).ok_or("400 Bad Request")?;
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err("403 Forbidden"),
            s if s.contains('\\') || s.contains('\0') => return Err("400 Bad Request"),
            s if s.starts_with('.') => return Err("404 Not Found"),
            s => file.push(s),
        }
    }
    if decoded.ends_with('/') {
        file.push("index.html");
    }
    let real = file.canonicalize().map_err(|_| "404 Not Found")?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err("403 Forbidden")
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by extension.
fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "asm" | "toml" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A throwaway `www/` with an index, a wasm file, a nested folder and a secret next to it.
    fn fixture(name: &str) -> PathBuf {
        let base = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let www = base.join("www");
        std::fs::create_dir_all(www.join("pkg")).unwrap();
        std::fs::create_dir_all(www.join("docs")).unwrap();
        std::fs::write(www.join("index.html"), "<!doctype html><title>t</title>").unwrap();
        std::fs::write(www.join("pkg/app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(www.join("pkg/app.js"), "export {}").unwrap();
        std::fs::write(www.join("docs/index.html"), "docs").unwrap();
        std::fs::write(www.join("a b.txt"), "spaced").unwrap();
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        www.canonicalize().unwrap()
    }

    /// Sends a raw request to `addr` and returns (status line, headers, body).
    fn request(addr: SocketAddr, raw: &str) -> (String, String, String) {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let (status, headers) = head.split_once("\r\n").unwrap();
        (status.to_string(), headers.to_string(), body.to_string())
    }

    fn get(addr: SocketAddr, target: &str) -> (String, String, String) {
        request(addr, &format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n"))
    }

    #[test]
    fn serves_files_with_types_and_the_csp() {
        let addr = spawn(fixture("types")).unwrap();
        let (status, headers, body) = get(addr, "/");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(headers.contains("Content-Type: text/html; charset=utf-8"));
        assert!(headers.contains(&format!("Content-Security-Policy: {CSP}")));
        assert!(body.contains("<title>t</title>"));

        let (_, headers, _) = get(addr, "/pkg/app_bg.wasm?v=3");
        assert!(
            headers.contains("Content-Type: application/wasm"),
            "{headers}"
        );
        let (_, headers, _) = get(addr, "/pkg/app.js#x");
        assert!(
            headers.contains("Content-Type: text/javascript"),
            "{headers}"
        );
        let (status, _, body) = get(addr, "/a%20b.txt");
        assert_eq!(
            (status.as_str(), body.as_str()),
            ("HTTP/1.1 200 OK", "spaced")
        );
        let (status, _, body) = get(addr, "/docs/");
        assert_eq!(
            (status.as_str(), body.as_str()),
            ("HTTP/1.1 200 OK", "docs")
        );
        let (status, headers, _) = get(addr, "/docs?q=1");
        assert_eq!(status, "HTTP/1.1 301 Moved Permanently");
        assert!(headers.contains("Location: /docs/"));
    }

    #[test]
    fn refuses_traversal_and_unknown_paths() {
        let addr = spawn(fixture("traversal")).unwrap();
        for target in [
            "/../secret.txt",
            "/pkg/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
        ] {
            let (status, headers, body) = get(addr, target);
            assert_eq!(status, "HTTP/1.1 403 Forbidden", "{target}");
            assert!(headers.contains("Content-Security-Policy"));
            assert!(!body.contains("secret"), "{target} leaked");
        }
        assert_eq!(get(addr, "/nope.html").0, "HTTP/1.1 404 Not Found");
        assert_eq!(get(addr, "/%zz").0, "HTTP/1.1 400 Bad Request");
        assert_eq!(get(addr, "relative").0, "HTTP/1.1 400 Bad Request");
        let (status, headers, _) = request(addr, "POST / HTTP/1.1\r\n\r\n");
        assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
        assert!(headers.contains("Allow: GET, HEAD"));
        let (status, headers, body) = request(addr, "HEAD / HTTP/1.1\r\n\r\n");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(!headers.contains("Content-Length: 0"));
        assert!(body.is_empty());
    }

    #[test]
    fn a_port_in_use_says_which_port_to_try() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let message = bind(port).unwrap_err();
        assert_eq!(
            message,
            format!(
                "port {port} is in use; try cargo xtask serve --port {}",
                port + 1
            )
        );
    }
}

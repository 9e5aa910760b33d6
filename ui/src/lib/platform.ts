// Which desktop the page runs on, told from the web view's user agent (WebKitGTK on Linux,
// WebView2 on Windows, WKWebView on macOS): what `app.css` picks its Chinese face by.
export type Platform = 'linux' | 'macos' | 'windows';

export function platformOf(userAgent: string): Platform {
  if (/Windows NT/.test(userAgent)) return 'windows';
  if (/Macintosh|Mac OS X/.test(userAgent)) return 'macos';
  return 'linux';
}

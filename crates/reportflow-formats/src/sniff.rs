//! Format detection: magic bytes and structure first, the crawler's content type as a hint.

use crate::{Error, Format};

/// The OLE2 compound-file signature of binary Word (`.doc`), Excel and PowerPoint files.
const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Decides the format of `raw`. `content_type` (e.g. `text/html; charset=gbk`) only breaks
/// ties: magic bytes win over it. Fails for formats reportflow cannot read.
pub fn detect(raw: &[u8], content_type: Option<&str>) -> Result<Format, Error> {
    let mime = content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let head = &raw[..raw.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if raw.starts_with(OLE2) {
        return Err(Error::UnsupportedFormat(
            "OLE2 compound file (binary Word .doc, Excel or PowerPoint)".into(),
        ));
    }
    if raw.starts_with(b"PK\x03\x04") || raw.starts_with(b"PK\x05\x06") {
        return Ok(Format::Docx);
    }
    if raw.starts_with(b"{\\rtf") {
        return Err(Error::UnsupportedFormat("RTF".into()));
    }
    if looks_like_html(raw) {
        return Ok(Format::Html);
    }
    if matches!(mime.as_str(), "text/html" | "application/xhtml+xml")
        && first_visible(raw).first() == Some(&b'<')
    {
        return Ok(Format::Html);
    }
    Ok(Format::Text)
}

/// The bytes after a UTF-8 BOM and leading ASCII whitespace.
fn first_visible(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(raw.len());
    &raw[start..]
}

/// The WHATWG MIME sniffing rule for HTML: the first visible bytes are one of a few tags
/// (case-insensitive) followed by a space or `>`, or a comment. Also true when an `<html` or
/// `<body` tag appears in the first kilobyte after a leading `<?xml` or comment.
pub(crate) fn looks_like_html(raw: &[u8]) -> bool {
    const TAGS: [&[u8]; 17] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<body",
        b"<br",
        b"<p",
        b"<meta",
    ];
    let visible = first_visible(raw);
    let starts_with_ci =
        |s: &[u8], p: &[u8]| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
    for tag in TAGS {
        if starts_with_ci(visible, tag) {
            let next = visible.get(tag.len()).copied();
            if matches!(next, Some(b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'\x0C')) {
                return true;
            }
        }
    }
    if starts_with_ci(visible, b"<!--") || starts_with_ci(visible, b"<?xml") {
        let head = &visible[..visible.len().min(1024)];
        return head.windows(5).any(|w| w.eq_ignore_ascii_case(b"<html"))
            || head.windows(5).any(|w| w.eq_ignore_ascii_case(b"<body"));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_the_content_type() {
        assert_eq!(detect(b"%PDF-1.7\n", Some("text/html")), Ok(Format::Pdf));
        assert_eq!(detect(b"PK\x03\x04rest", None), Ok(Format::Docx));
        assert_eq!(
            detect(b"<!DOCTYPE html><html>", Some("text/plain")),
            Ok(Format::Html)
        );
        assert_eq!(detect("二、主要指标".as_bytes(), None), Ok(Format::Text));
        assert_eq!(
            detect(b"<x-page>hi</x-page>", Some("text/html; charset=gbk")),
            Ok(Format::Html)
        );
        assert_eq!(detect(b"<x-page>hi</x-page>", None), Ok(Format::Text));
        let doc = detect(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", None).unwrap_err();
        assert_eq!(doc.kind(), "unsupported_format");
    }
}

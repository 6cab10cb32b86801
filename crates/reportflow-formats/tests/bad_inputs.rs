//! Bad inputs are dead letters with a clear kind, never a panic or a hang: a truncated zip,
//! a DOCX without `word/document.xml`, binary Word, a PDF with a broken xref, an encrypted
//! PDF, a 50 MB PDF, an HTML page of only scripts; and every fixture mutated many ways.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reportflow_formats::{convert, Error};

fn fixture(dir: &str, ext: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(dir)
        .join(format!("000_efee8a99a23e30c8.{ext}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn kind(raw: &[u8]) -> &'static str {
    match convert(raw, None, None) {
        Ok(c) => panic!("accepted as {}", c.format),
        Err(e) => e.kind(),
    }
}

/// A zip archive holding the given stored (uncompressed) entries.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&0u32.to_le_bytes()); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0u8; 6]); // comment length, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn truncated_zip_is_broken() {
    let docx = fixture("docx", "docx");
    assert_eq!(kind(&docx[..docx.len() / 2]), "broken_document");
}

#[test]
fn docx_without_document_xml_is_broken() {
    let zip = stored_zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/_rels/document.xml.rels", b"<Relationships/>"),
    ]);
    assert_eq!(kind(&zip), "broken_document");
    let other = stored_zip(&[("data.csv", b"a,b\n")]);
    assert_eq!(kind(&other), "unsupported_format");
    let ok = stored_zip(&[(
        "word/document.xml",
        "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>增长5%</w:t></w:r></w:p></w:body></w:document>".as_bytes(),
    )]);
    let converted = convert(&ok, None, None).map_err(|e| e.to_string());
    assert_eq!(
        converted.map(|c| c.decoded.unwrap().text),
        Ok("增长5%".to_string())
    );
}

#[test]
fn binary_word_is_unsupported() {
    let mut doc = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    doc.extend(std::iter::repeat_n(0u8, 4096));
    assert_eq!(kind(&doc), "unsupported_format");
}

#[test]
fn pdf_with_broken_xref_is_a_dead_letter() {
    let pdf = fixture("pdf", "pdf");
    // Cut off the end (xref table or stream, trailer) and the body's second half.
    let cut = &pdf[..pdf.len() / 2];
    let k = kind(cut);
    assert!(matches!(k, "broken_document" | "no_text_layer"), "{k}");
    // Garbage where the xref offset is.
    let mut bad = pdf.clone();
    let tail = bad.len() - 40;
    for b in &mut bad[tail..] {
        if b.is_ascii_digit() {
            *b = b'9';
        }
    }
    let started = Instant::now();
    let _ = convert(&bad, None, None);
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn encrypted_pdf_is_encrypted() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) >>\nendobj\ntrailer\n<< /Root 1 0 R /Encrypt 3 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] >>\n%%EOF\n";
    let k = kind(pdf);
    assert!(matches!(k, "encrypted" | "broken_document"), "{k}");
}

#[test]
fn fifty_megabyte_pdf_is_too_large() {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(50 << 20, b' ');
    let started = Instant::now();
    assert!(matches!(
        convert(&pdf, None, None),
        Err(Error::TooLarge { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn html_of_only_scripts_has_no_text() {
    let page = b"<!DOCTYPE html><html><head><script>var a = '\xe5\xa2\x9e\xe9\x95\xbf5%';</script></head><body><script>document.write('x')</script><style>p{}</style></body></html>";
    assert_eq!(kind(page), "no_text");
}

/// A small deterministic generator (the test must be reproducible).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Flipped bytes, a truncation, a removed or duplicated range.
fn mutate(raw: &[u8], rng: &mut Lcg) -> Vec<u8> {
    let mut out = raw.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..1 + rng.below(16) {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
        }
        1 => out.truncate(rng.below(out.len())),
        2 => {
            let a = rng.below(out.len());
            let b = (a + rng.below(4096)).min(out.len());
            out.drain(a..b);
        }
        _ => {
            let a = rng.below(out.len());
            let b = (a + rng.below(4096)).min(out.len());
            let copy = out[a..b].to_vec();
            out.splice(a..a, copy);
        }
    }
    out
}

#[test]
fn mutated_fixtures_never_panic_or_hang() {
    for (dir, ext, cases) in [
        ("html", "html", 300),
        ("docx", "docx", 300),
        ("pdf", "pdf", 24),
    ] {
        let raw = fixture(dir, ext);
        let mut rng = Lcg(0x5eed ^ cases as u64);
        for case in 0..cases {
            let mutated = mutate(&raw, &mut rng);
            let started = Instant::now();
            let result = convert(&mutated, None, None);
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{ext} case {case} took {:?}",
                started.elapsed()
            );
            if let Err(e) = result {
                assert!(!e.kind().is_empty());
            }
        }
    }
}

/// A PDF from objects, with a correct xref table.
fn pdf_of(objects: &[&str]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Fuzzing finding (cargo fuzz, target `pdf`): a font that refers to a missing object made
/// pdf-extract panic ("missing object reference"); the panic is caught and the document is
/// a dead letter.
#[test]
fn dangling_font_reference_is_broken_not_a_panic() {
    let content = "BT /F1 12 Tf 72 700 Td (abc) Tj ET";
    let pdf = pdf_of(&[
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 67 0 R >> >> /Contents 4 0 R >>",
        &format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ]);
    let k = kind(&pdf);
    assert!(matches!(k, "broken_document" | "no_text_layer"), "{k}");
}

/// A scan: a page with no text operators at all.
#[test]
fn pdf_without_text_has_no_text_layer() {
    let content = "q 100 0 0 100 72 700 cm 0.5 g 0 0 1 1 re f Q";
    let pdf = pdf_of(&[
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        &format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ]);
    assert_eq!(kind(&pdf), "no_text_layer");
}

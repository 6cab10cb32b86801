//! DOCX: paragraphs and table rows of `word/document.xml` (zip + quick-xml).

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;
use reportflow_core::Decoded;

use crate::{unicode_info, Error, Format, Limits, LineWriter};

fn broken(detail: impl std::fmt::Display) -> Error {
    Error::Broken {
        format: Format::Docx,
        detail: detail.to_string(),
    }
}

/// The text of a DOCX: one line per paragraph (headings included), one line per table row
/// with its cells separated by tabs.
pub(crate) fn to_text(raw: &[u8], limits: &Limits) -> Result<Decoded, Error> {
    if raw.len() > limits.max_docx_bytes {
        return Err(Error::TooLarge {
            format: Format::Docx,
            size: raw.len(),
            limit: limits.max_docx_bytes,
        });
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(raw)).map_err(broken)?;
    if archive.index_for_name("word/document.xml").is_none() {
        if archive.index_for_name("[Content_Types].xml").is_some()
            && archive
                .index_for_name("word/_rels/document.xml.rels")
                .is_some()
        {
            return Err(broken("word/document.xml is missing"));
        }
        return Err(Error::UnsupportedFormat(
            "a zip archive without word/document.xml (not a DOCX)".into(),
        ));
    }
    let file = archive.by_name("word/document.xml").map_err(broken)?;
    if file.encrypted() {
        return Err(Error::Encrypted(Format::Docx));
    }
    if file.size() > limits.max_docx_xml_bytes {
        return Err(Error::TooLarge {
            format: Format::Docx,
            size: usize::try_from(file.size()).unwrap_or(usize::MAX),
            limit: usize::try_from(limits.max_docx_xml_bytes).unwrap_or(usize::MAX),
        });
    }
    let mut xml = Vec::new();
    file.take(limits.max_docx_xml_bytes + 1)
        .read_to_end(&mut xml)
        .map_err(broken)?;
    if xml.len() as u64 > limits.max_docx_xml_bytes {
        return Err(Error::TooLarge {
            format: Format::Docx,
            size: xml.len(),
            limit: usize::try_from(limits.max_docx_xml_bytes).unwrap_or(usize::MAX),
        });
    }
    let text = document_text(&xml)?;
    Ok(Decoded {
        text,
        info: unicode_info(),
    })
}

/// The text of a `word/document.xml`.
pub(crate) fn document_text(xml: &[u8]) -> Result<String, Error> {
    let mut reader = Reader::from_reader(xml);
    let mut out = LineWriter::default();
    let mut buf = Vec::new();
    // Depth of `w:tbl` elements: inside a table a paragraph ends a cell line only at the row.
    let mut table_depth = 0usize;
    let mut in_text = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| broken(format!("word/document.xml: {e}")))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().into_inner() {
                "t" => in_text = true,
                "tbl" => {
                    table_depth += 1;
                    out.paragraph();
                }
                "tr" => out.paragraph(),
                "tc" => out.cell(),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().into_inner() {
                "tab" => out.text("\t"),
                "br" | "cr" => {
                    if table_depth > 0 {
                        out.text(" ");
                    } else {
                        out.line_break();
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().into_inner() {
                "t" => in_text = false,
                "p" => {
                    if table_depth > 0 {
                        out.text(" ");
                    } else {
                        out.paragraph();
                    }
                }
                "tc" => out.cell(),
                "tr" => out.paragraph(),
                "tbl" => {
                    table_depth = table_depth.saturating_sub(1);
                    out.paragraph();
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                out.text(&t.xml10_content());
            }
            Event::GeneralRef(r) if in_text => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r.xml10_content() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    out.text(c.encode_utf8(&mut [0; 4]));
                }
            }
            _ => {}
        }
        buf.clear();
        if out.len() > xml.len().saturating_mul(4) + 1024 {
            return Err(broken("text larger than its XML"));
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_headings_and_table_rows() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>一、主要指标</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">地区生产总值增长</w:t></w:r><w:r><w:t>8.5%&amp;</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>数值</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>GDP</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1000</w:t></w:r></w:p><w:p><w:r><w:t>亿元</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>完</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(
            document_text(xml.as_bytes()).unwrap(),
            "一、主要指标\n\n地区生产总值增长8.5%&\n\n指标\t数值\n\nGDP\t1000 亿元\n\n完"
        );
    }
}

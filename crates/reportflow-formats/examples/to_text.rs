//! Prints what the formats crate makes of a file (`--normalized`: after the core's
//! normalization too; `--pdf-extract`: pdf-extract's own text of a PDF):
//! `cargo run -p reportflow-formats --example to_text -- FILE`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let normalized = args.iter().any(|a| a == "--normalized");
    // `--pdf-extract`: pdf-extract's own plain text, without this crate's layout.
    let plain = args.iter().any(|a| a == "--pdf-extract");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let raw = std::fs::read(path).expect("readable file");
        let started = std::time::Instant::now();
        if plain {
            match pdf_extract::extract_text_from_mem(&raw) {
                Ok(text) => println!("{text}"),
                Err(e) => eprintln!("{path}: {e}"),
            }
        } else if normalized {
            let extractor = reportflow_core::Extractor::default();
            match reportflow_formats::normalize(&extractor, &raw, None, None) {
                Ok((format, n)) => println!("{format}\n{}", n.text),
                Err(e) => eprintln!("{path}: {} {e}", e.kind()),
            }
        } else {
            match reportflow_formats::convert(&raw, None, None) {
                Ok(c) => {
                    eprintln!("{path}: {} in {:?}", c.format, started.elapsed());
                    if let Some(d) = c.decoded {
                        println!("{}", d.text);
                    }
                }
                Err(e) => eprintln!("{path}: {} {e}", e.kind()),
            }
        }
    }
}

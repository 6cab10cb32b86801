//! Character-level folding: the first pass of the normalizer.
//!
//! Everything here maps one character to at most one character, so it runs as a single
//! streaming pass: line endings, full-width ASCII, exotic spaces, invisible characters, and
//! Traditional to Simplified Chinese.

/// Simplified characters that `fast2s` maps anyway because they double as Traditional
/// variants. Mapping them would corrupt ordinary Simplified text (`捍卫`, `呵护`, `香薰`,
/// `大阪`, `磐石`, `彷徨`, `哪吒`, `煅烧`, `黏性`), which is what every report we see is
/// written in, so they are kept as written.
const KEEP_AS_WRITTEN: &[char] = &['磐', '阪', '捍', '呵', '呱', '彷', '薰', '黏', '吒', '煅'];

/// Characters whose `fast2s` conversion depends on their neighbours (`乾隆` keeps `乾`,
/// `計畫` becomes `计划` but `畫圖` becomes `画图`): the keys of its exclusion and special-case
/// tables. Every other character converts the same wherever it stands.
const CONTEXT_SENSITIVE: &[char] = &[
    '兒', '覆', '夥', '藉', '瞭', '麽', '幺', '於', '乾', '著', '苧', '闔', '鍾', '讎', '畫',
];

/// First and one-past-last code point that `fast2s` may convert (CJK Extension A up to the
/// CJK Compatibility Ideographs); all its table keys lie in between.
const T2S_FIRST: u32 = 0x3400;
const T2S_END: u32 = 0xFB00;

/// Traditional → Simplified for one document, exactly as `fast2s::convert` would do it but
/// without running its three hash lookups on every character: `fast2s` is asked once about
/// each distinct character of the document, and only the few that change (usually none in a
/// Simplified report) are looked up afterwards. This keeps normalization far above 50 MB/s.
struct T2s {
    /// One bit per code point in `T2S_FIRST..T2S_END`: may `fast2s` change it?
    changed: Vec<u64>,
    /// (traditional, simplified) pairs of the changed characters, sorted.
    map: Vec<(char, char)>,
}

impl T2s {
    fn slot(c: char) -> Option<usize> {
        let u = c as u32;
        (T2S_FIRST..T2S_END)
            .contains(&u)
            .then(|| (u - T2S_FIRST) as usize)
    }

    fn for_text(text: &str) -> T2s {
        let words = ((T2S_END - T2S_FIRST) as usize).div_ceil(64);
        let mut seen = vec![0u64; words];
        // Distinct characters, one per line so that none is another's context.
        let mut distinct = String::new();
        for c in text.chars() {
            if let Some(i) = T2s::slot(c) {
                if seen[i / 64] & (1 << (i % 64)) == 0 {
                    seen[i / 64] |= 1 << (i % 64);
                    distinct.push(c);
                    distinct.push('\n');
                }
            }
        }
        let mut changed = vec![0u64; words];
        let mut map = Vec::new();
        if !distinct.is_empty() {
            for (o, n) in distinct.chars().zip(fast2s::convert(&distinct).chars()) {
                // Context-sensitive characters take the slow path wherever they occur.
                if o != n || CONTEXT_SENSITIVE.contains(&o) {
                    if let Some(i) = T2s::slot(o) {
                        changed[i / 64] |= 1 << (i % 64);
                        map.push((o, n));
                    }
                }
            }
        }
        map.sort_unstable();
        T2s { changed, map }
    }

    /// The Simplified form of `c` between `prev` and `next` (original characters).
    fn convert(&self, prev: char, c: char, next: char) -> char {
        let Some(i) = T2s::slot(c) else {
            return c;
        };
        // The hot path: a character fast2s leaves alone.
        if self.changed[i / 64] & (1 << (i % 64)) == 0 || KEEP_AS_WRITTEN.contains(&c) {
            return c;
        }
        if CONTEXT_SENSITIVE.contains(&c) {
            let window: String = [prev, c, next].iter().collect();
            return fast2s::convert(&window).chars().nth(1).unwrap_or(c);
        }
        match self.map.binary_search_by(|(o, _)| o.cmp(&c)) {
            Ok(k) => self.map[k].1,
            Err(_) => c,
        }
    }
}

/// Folds the raw text character by character.
///
/// - `\r\n`, `\r`, U+2028, U+2029, U+0085, vertical tab and form feed become `\n`;
/// - U+FF01–U+FF5E (full-width ASCII, including `，：；（）％`) become ASCII, U+3000 and every
///   other Unicode space become a plain space; nothing else is folded (no NFKC, which would
///   turn `①` list markers into digits);
/// - zero-width characters, the soft hyphen and control characters are dropped;
/// - Traditional characters become Simplified (one character for one character).
pub(super) fn prepare(text: &str) -> String {
    let t2s = T2s::for_text(text);
    let mut out = String::with_capacity(text.len());
    // Unchanged characters are copied as whole slices from `pending` on, not one by one.
    let mut pending = 0;
    let mut prev = '\n';
    let mut it = text.char_indices().peekable();
    while let Some((i, raw)) = it.next() {
        let next = it.peek().map_or('\n', |p| p.1);
        let c = t2s.convert(prev, raw, next);
        let folded = fold(c, prev == '\r');
        prev = raw;
        if folded == Some(raw) {
            continue;
        }
        out.push_str(&text[pending..i]);
        if let Some(f) = folded {
            out.push(f);
        }
        pending = i + raw.len_utf8();
    }
    out.push_str(&text[pending..]);
    out
}

/// The folded form of one character, `None` when it is dropped.
fn fold(c: char, after_cr: bool) -> Option<char> {
    match c {
        ' '..='~' => Some(c),
        '\n' if after_cr => None,
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}' => Some('\n'),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' => None,
        c if c.is_whitespace() => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::{prepare, T2s};

    #[test]
    fn line_endings() {
        assert_eq!(prepare("a\r\nb\rc\u{2028}d\ne"), "a\nb\nc\nd\ne");
        assert_eq!(prepare("a\r\r\nb"), "a\n\nb");
    }

    #[test]
    fn full_width_ascii_folds_but_cjk_punctuation_stays() {
        assert_eq!(
            prepare("（一）增长６．５％，达到１２３亿元：好！"),
            "(一)增长6.5%,达到123亿元:好!"
        );
        assert_eq!(
            prepare("“十四五”。、《规划》【注】"),
            "“十四五”。、《规划》【注】"
        );
        // Circled and parenthesised numbers are list markers: never folded to digits.
        assert_eq!(prepare("①⑴⒈Ⅳ"), "①⑴⒈Ⅳ");
    }

    #[test]
    fn spaces_and_invisibles() {
        assert_eq!(prepare("a\u{3000}b\u{a0}c\u{2002}d\te"), "a b c d e");
        assert_eq!(prepare("a\u{200B}b\u{FEFF}c\u{0}d"), "abcd");
    }

    #[test]
    fn traditional_to_simplified_keeps_length() {
        let t = "國民經濟和社會發展計劃執行情況";
        let s = prepare(t);
        assert_eq!(s, "国民经济和社会发展计划执行情况");
        assert_eq!(s.chars().count(), t.chars().count());
    }

    #[test]
    fn same_result_as_fast2s_including_context_rules() {
        for t in [
            "乾隆的乾兒子一邊乾淨利落地擲出了一個乾卦，嘴裡嚼着芒果乾。",
            "企畫 計畫 企劃 計劃 畫圖 畫畫",
            "「藉」其他意义仍然保留的，藉口、憑藉的藉，慰藉、狼藉",
            "看著顯著，樊於期於是",
        ] {
            let ours = prepare(t);
            let theirs: String = fast2s::convert(t)
                .chars()
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    c => c,
                })
                .collect();
            assert_eq!(ours, theirs.replace('\u{3000}', " "), "{t}");
        }
    }

    /// The seeds are Simplified: Traditional folding may only touch the few Traditional
    /// characters they really contain (`灤`, four times in 002), never Simplified words
    /// such as `香薰` (003), which fast2s alone would turn into `香熏`.
    #[test]
    fn seeds_are_left_alone_by_traditional_folding() {
        let seeds = [
            include_str!("../../test_data/seeds/000_efee8a99a23e30c8.txt"),
            include_str!("../../test_data/seeds/001_85ed7cce525b80c5.txt"),
            include_str!("../../test_data/seeds/002_bdff356f346cc1e3.txt"),
            include_str!("../../test_data/seeds/003_ceafcb46a5ccc8b5.txt"),
            include_str!("../../test_data/seeds/004_8de36d65d8a4f08f.txt"),
        ];
        let mut changed = Vec::new();
        for (k, text) in seeds.iter().enumerate() {
            let t2s = T2s::for_text(text);
            let chars: Vec<char> = text.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let prev = if i > 0 { chars[i - 1] } else { '\n' };
                let next = chars.get(i + 1).copied().unwrap_or('\n');
                let s = t2s.convert(prev, *c, next);
                if s != *c {
                    changed.push(format!("{k}:{c}→{s}"));
                }
            }
        }
        assert_eq!(changed, vec!["2:灤→滦"; 4]);
    }

    #[test]
    fn simplified_words_fast2s_would_damage_are_kept() {
        assert_eq!(prepare("捍卫香薰呵护"), "捍卫香薰呵护");
        assert_eq!(prepare("森林覆盖率"), "森林覆盖率");
    }
}

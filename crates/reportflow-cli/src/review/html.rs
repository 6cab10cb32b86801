//! The small HTML writer of the review pages: escaping for text and attribute values.
//!
//! Every string that comes from a report, a gold file or a file name goes through [`esc`]
//! before it reaches a page; markup is only ever written as literals by the page code.

use std::borrow::Cow;
use std::fmt;

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe as element
/// text and as a double- or single-quoted attribute value.
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Displays as the escaped form of its string (for `write!`).
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&esc(self.0))
    }
}

/// A number as people read it: no exponent, no trailing `.0`, at most 6 decimals.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A signed growth figure: `+6`, `-3.7`, `0`.
pub fn signed(x: f64) -> String {
    let s = num(x);
    if x > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(esc("地区生产总值607.6亿元"), "地区生产总值607.6亿元");
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
        assert_eq!(
            Esc("</script><script>").to_string(),
            "&lt;/script&gt;&lt;script&gt;"
        );
    }

    #[test]
    fn numbers_print_as_written() {
        assert_eq!(num(607.6), "607.6");
        assert_eq!(num(9.0), "9");
        assert_eq!(num(1e12), "1000000000000");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(signed(6.0), "+6");
        assert_eq!(signed(-3.7), "-3.7");
        assert_eq!(signed(0.0), "0");
    }
}

# The hard tokenizer cases (texts), as Python literals.
H = "\u0085"
texts = [
    # CJK, Japanese, Korean, long runs (> 128 bytes use the heap BPE path)
    "人工智能正在改变世界，我们需要理解它的空间推理能力。",
    "视频中的桌子和椅子之间的距离是多少米？请给出数字答案。" * 3,
    "東京タワーの高さは333メートルです。",
    "서울특별시 강남구 테헤란로 123",
    # emoji: ZWJ sequences, skin tones, flags, keycaps, variation selectors
    "👩🏽‍💻 coding 🇯🇵🇺🇸 1️⃣ ❤️‍🔥 🧑‍🤝‍🧑",
    "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂",
    # combining marks and other NFC work
    "e\u0301 a\u0300 o\u0308 n\u0303 A\u030A",
    "Tie\u0302\u0301ng Vie\u0323\u0302t",
    "q\u0307\u0323 x\u0301\u0301\u0301",
    "\u212B \u2126 \uF900 \u0958",
    "\u1100\u1161\u11A8 \uAC00\u11A8 \u1112\u1161\u11AB\u1100\u116E\u11AF",
    "\u0B47\u0B3E \u0CC6\u0CD5",
    # Arabic, Hebrew, Devanagari, Thai, Greek, Cyrillic
    "مرحبا بالعالم، كيف حالك؟ ١٢٣",
    "שלום עולם",
    "नमस्ते दुनिया",
    "สวัสดีชาวโลก",
    "Ελληνικά και Кириллица",
    # digit runs and unicode numbers
    "2024-01-15T12:34:56.789Z and 1,000,000.50 and 0x1F and 3e-10",
    "٣٤٥ ۱۲۳ Ⅻ ½ ²³ ①②",
    "99999999999999999999999999999999999999999999999999",
    # contractions, case-insensitive, long s
    "DON'T SHOUT, I'M HERE! WE'VE, THEY'LL, HE'D, IT'S, YOU'RE",
    "Don'T mIx'Ll 'S 's'S ''s '' ' s",
    "I'd've can't've y'all'd've",
    "'\u017f 'K'k",
    # newline and whitespace mixes
    "a\r\n\r\nb\n\r c\r\rd\n \n e",
    "trailing spaces   \n   leading after newline",
    "\t\tindented\twith\ttabs\t\n\t",
    "   ",
    "\n",
    "\n\n\n",
    " \n \n ",
    "\t \n",
    "x   ",
    "x \u00a0y\u3000z\u2003w",
    "a" + H + "b " + H + " c" + H,
    "a\u180Eb \u200B c \uFEFFd",
    "a\u000bb\u000cc\u001cd\u001fe",
    "a\u0000b\u0001c\u007f",
    "          many          spaces          ",
    # punctuation and code
    "!!!???... ...\n\n--- *** ### @@@",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}\n",
    "def f(x):\r\n    return {'a': [1, 2], \"b\": x**2}  # ok\r\n",
    "<div class=\"a\">&nbsp;</div> x=>x*2 a!=b a<=b",
    "He said \u2018hello\u2019 and \u201cbye\u201d \u2014 fine\u2026",
    "====================================================================================================",
    "SGVsbG8gV29ybGQhIFRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dC4=",
    "supercalifragilisticexpialidocious" * 5,
    # think / answer tags are plain text in Qwen2-VL
    "<think>The chair is left of the table.</think><answer>B</answer>",
    "<think>\nLet me count: 1, 2, 3.\n</think>\n<answer>3</answer>",
    # added tokens adjacent to text
    "hello<|im_end|>world",
    "abc<|endoftext|>def",
    " <|im_start|> ",
    "<|im_start|><|im_end|><|im_end|>\n<|im_start|>",
    "<|im_start|><|im_start|",
    "<|vision_start|><|video_pad|><|video_pad|><|vision_end|>How far?",
    "<|im_end|>\u0338",
    "x<|box_start|>(10,20),(30,40)<|box_end|>",
    "<|object_ref_start|>the red chair<|object_ref_end|>",
    "<|IM_START|> <|im_start |>",
    # private use, rare planes
    "\ue000\U000F0000 \U0001D400\U0001D401",
    "a" * 200,
]
# Ill-formed UTF-8 inputs (bytes); expected ids are those of bytes.decode("utf-8", errors="replace").
invalid = [
    b"\xff hello",
    b"abc\xe4\xbd",
    b"\xe4\xbd\xa0\xe5",
    b"\xed\xa0\x80 surrogate",
    b"\xc0\xaf overlong",
    b"\xf0\x9f\x98x",
    b"\xf4\x90\x80\x80 too big",
    b"\x80\x80\x80",
    b"ok<|im_end|>\xfe",
]

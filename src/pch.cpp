// Compiles src/pch.hpp once; other torch targets reuse the result.

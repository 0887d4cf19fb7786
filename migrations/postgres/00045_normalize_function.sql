-- +goose Up
-- bouncer_normalize(address [, case_sensitive]): the form bouncer stores an
-- address in (suppression.Normalize), for sending applications that share
-- the database and look addresses up in SQL (issue #14):
--     SELECT 1 FROM active_suppressions WHERE email = bouncer_normalize(%s)
-- Space and angle brackets off, the local part lower-cased unless
-- case_sensitive, the domain lower-cased with an internationalised name as
-- punycode (IDNA UTS #46 lookup, as Go's idna.Lookup). UTS #46 maps a code point much as NFKC
-- followed by lower-casing does; the code points where the two differ
-- (soft hyphen, variation selectors, Cherokee, some Greek, ...), found by
-- comparing every code point with the Go implementation
-- (TestSQLNormalizeMatchesGo), make the function return NULL, as does
-- anything that is not an address: NULL means "ask bouncer" (the API's
-- check), never a wrong form. Postgres only; SQLite has no stored functions.

-- bouncer_lower lower-cases as Go does, through the ICU root collation
-- when the server has ICU (Debian's, the official images' and the cloud
-- providers' builds do); without ICU it answers only for ASCII, and NULL
-- (so bouncer_normalize NULL) for the rest.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
        CREATE FUNCTION bouncer_lower(s text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN lower(s COLLATE "und-x-icu");
    ELSE
        CREATE FUNCTION bouncer_lower(s text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN CASE WHEN s ~ '^[\x01-\x7f]*$' THEN lower(s) END;
    END IF;
END
$$;
-- +goose StatementEnd

-- bouncer_punycode encodes one label (RFC 3492, section 6.3).
-- +goose StatementBegin
CREATE FUNCTION bouncer_punycode(label text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    cp int[] := ARRAY(SELECT ascii(c) FROM regexp_split_to_table(label, '') AS c);
    output text := '';
    n int := 128;
    delta bigint := 0;
    bias int := 72;
    b int := 0;
    h int;
    m int;
    q bigint;
    k int;
    t int;
    c int;
    d bigint;
BEGIN
    FOREACH c IN ARRAY cp LOOP
        IF c < 128 THEN
            output := output || chr(c);
            b := b + 1;
        END IF;
    END LOOP;
    h := b;
    IF b > 0 THEN
        output := output || '-';
    END IF;
    WHILE h < cardinality(cp) LOOP
        SELECT min(x) INTO m FROM unnest(cp) AS x WHERE x >= n;
        delta := delta + (m - n)::bigint * (h + 1);
        n := m;
        FOREACH c IN ARRAY cp LOOP
            IF c < n THEN
                delta := delta + 1;
            END IF;
            IF c = n THEN
                q := delta;
                k := 36;
                LOOP
                    t := CASE WHEN k <= bias THEN 1 WHEN k >= bias + 26 THEN 26 ELSE k - bias END;
                    EXIT WHEN q < t;
                    d := t + (q - t) % (36 - t);
                    output := output || chr(CASE WHEN d < 26 THEN 97 ELSE 22 END + d::int);
                    q := (q - t) / (36 - t);
                    k := k + 36;
                END LOOP;
                output := output || chr(CASE WHEN q < 26 THEN 97 ELSE 22 END + q::int);
                -- adapt(delta, h + 1, h = b)
                d := CASE WHEN h = b THEN delta / 700 ELSE delta / 2 END;
                d := d + d / (h + 1);
                k := 0;
                WHILE d > 455 LOOP
                    d := d / 35;
                    k := k + 36;
                END LOOP;
                bias := k + (36 * d) / (d + 38);
                delta := 0;
                h := h + 1;
            END IF;
        END LOOP;
        delta := delta + 1;
        n := n + 1;
    END LOOP;
    RETURN output;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION bouncer_normalize(address text, case_sensitive boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    -- Go's unicode.IsSpace, which strings.TrimSpace trims.
    space CONSTANT text := '[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]';
    a text := regexp_replace(address, '^' || space || '+|' || space || '+$', '', 'g');
    at int;
    loc text;
    dom text;
    label text;
    labels text[] := '{}';
BEGIN
    IF left(a, 1) = '<' THEN
        a := substr(a, 2);
    END IF;
    IF right(a, 1) = '>' THEN
        a := left(a, -1);
    END IF;
    a := regexp_replace(a, '^' || space || '+|' || space || '+$', '', 'g');
    at := strpos(reverse(a), '@');
    IF at = 0 THEN
        RETURN NULL;
    END IF;
    loc := left(a, length(a) - at);
    dom := regexp_replace(right(a, at - 1), '^' || space || '+|' || space || '+$', '', 'g');
    IF right(dom, 1) = '.' THEN
        dom := left(dom, -1);
    END IF;
    IF loc = '' OR dom = '' THEN
        RETURN NULL;
    END IF;
    IF NOT case_sensitive THEN
        -- Go lower-cases one code point at a time, where ICU's full case
        -- mapping makes İ i + U+0307 and a final Σ ς.
        loc := bouncer_lower(translate(loc, 'İΣ', 'iσ'));
    END IF;
    IF dom ~ '^[\x01-\x7f]*$' THEN
        RETURN loc || '@' || lower(dom);
    END IF;
    -- Where UTS #46 mapping is not NFKC then lower-casing.
    IF dom ~ '[\u00AD\u0345\u034F\u03F2\u03F9\u13A0-\u13F5\u13F8-\u13FD\u180B-\u180D\u180F\u1C80-\u1C88\u1E9E\u1F80-\u1FAF\u1FB2-\u1FB4\u1FB7\u1FBC\u1FC2-\u1FC4\u1FC7\u1FCC\u1FF2-\u1FF4\u1FF7\u1FFC\u200B\u2060\u2064\uAB70-\uABBF\uFE00-\uFE0F\uFEFF\U0001BCA0-\U0001BCA3\U0001D6D3\U0001D70D\U0001D747\U0001D781\U0001D7BB\U0001E030-\U0001E06D]' THEN
        RETURN NULL;
    END IF;
    dom := normalize(bouncer_lower(translate(normalize(dom, NFKC), 'Σ', 'σ')), NFC);
    dom := translate(dom, '。', '.');
    FOREACH label IN ARRAY string_to_array(dom, '.') LOOP
        IF label !~ '^[\x01-\x7f]*$' THEN
            label := 'xn--' || bouncer_punycode(label);
        END IF;
        labels := labels || label;
    END LOOP;
    RETURN loc || '@' || array_to_string(labels, '.');
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION bouncer_normalize(text, boolean);
DROP FUNCTION bouncer_punycode(text);
DROP FUNCTION bouncer_lower(text);

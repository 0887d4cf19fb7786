-- +goose Up
-- Statistics for the rows 00052 wrote (SQLite's indexes cannot include a
-- column; its lists are small). Keep in step with ../postgres/.
ANALYZE daily_counts;

-- +goose Down
SELECT 1;

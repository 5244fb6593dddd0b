<?php
// Record export from PHP (ext-curl): open, send batches, complete, poll, download.
//   SHEETDIFF_URL=http://localhost:8080 SHEETDIFF_KEY=sdk_... php examples/export.php [out.xlsx]
$base = rtrim(getenv('SHEETDIFF_URL') ?: 'http://localhost:8080', '/') . '/api/v1';
$key = getenv('SHEETDIFF_KEY') or die("set SHEETDIFF_KEY\n");
$out = $argv[1] ?? 'orders.xlsx';

function call(string $method, string $url, ?string $body = null, string $type = 'application/json'): array {
    global $key;
    $ch = curl_init($url);
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ["Authorization: Bearer $key", "Content-Type: $type"],
    ]);
    if ($body !== null) curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    $res = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    $json = json_decode($res, true);
    if ($status >= 300) throw new RuntimeException("$method $url: $status " . ($json['detail'] ?? $res));
    return $json;
}

$export = call('POST', "$base/exports", json_encode([
    'format' => 'xlsx',
    'filename' => 'orders',
    'columns' => [
        ['name' => 'id', 'type' => 'integer'],
        ['name' => 'customer', 'type' => 'string', 'width' => 30],
        ['name' => 'total', 'type' => 'currency'],
        ['name' => 'day', 'type' => 'date'],
    ],
]));
$id = $export['exportId'];

// Batches of 10k records; `seq` numbers them, so a retried batch is stored once.
for ($seq = 0; $seq < 3; $seq++) {
    $lines = '';
    for ($i = 0; $i < 10000; $i++) {
        $n = $seq * 10000 + $i + 1;
        $lines .= json_encode([$n, "customer $n", $n * 1.5, '2024-03-01']) . "\n";
    }
    call('POST', "$base/exports/$id/records?seq=$seq", $lines, 'application/x-ndjson');
}
call('POST', "$base/exports/$id/complete");

do {
    sleep(1);
    $view = call('GET', "$base/exports/$id");
} while (!in_array($view['status'], ['COMPLETED', 'FAILED', 'CANCELLED'], true));
if ($view['status'] !== 'COMPLETED') throw new RuntimeException('export ' . $view['status'] . ': ' . json_encode($view['error'] ?? null));

file_put_contents($out, file_get_contents($view['url']));
if (hash_file('sha256', $out) !== $view['sha256']) throw new RuntimeException('checksum mismatch');
echo "{$view['recordCount']} records -> $out ({$view['fileSize']} bytes, sha256 {$view['sha256']})\n";

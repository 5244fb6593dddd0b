<?php
// Record export from PHP (ext-curl): open, send batches, complete, poll, download, verify.
//   SHEETDIFF_URL=http://localhost:8080 SHEETDIFF_KEY=sdk_... php examples/export.php [out.xlsx]
// Exits 0 once the file is saved and its sha256 checked; otherwise prints why and exits 1.
// test/int/exports/php-example.int.test.ts runs this script against the real API.

$base = rtrim(getenv('SHEETDIFF_URL') ?: 'http://localhost:8080', '/') . '/api/v1';
$key = getenv('SHEETDIFF_KEY');
$out = $argv[1] ?? 'orders.xlsx';
if (!$key) {
    fwrite(STDERR, "set SHEETDIFF_KEY (an API key: npx sheetdiff apikey create NAME)\n");
    exit(1);
}

// One API call; throws with the API's problem detail on an error status or a network failure.
function call(string $method, string $url, ?string $body = null, string $type = 'application/json'): array {
    global $key;
    $ch = curl_init($url);
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => 10,
        CURLOPT_TIMEOUT => 300,
        CURLOPT_HTTPHEADER => ["Authorization: Bearer $key", "Content-Type: $type"],
    ]);
    if ($body !== null) curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    $res = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    $error = curl_error($ch);
    if ($res === false) throw new RuntimeException("$method $url: $error", 0);
    $json = json_decode($res, true);
    if ($status >= 300) throw new RuntimeException("$method $url: $status " . ($json['detail'] ?? $res), $status);
    return $json ?? [];
}

// A batch is sent again after a network failure or a 5xx: the same `seq` is stored once.
function sendBatch(string $url, string $lines): array {
    for ($attempt = 1; ; $attempt++) {
        try {
            return call('POST', $url, $lines, 'application/x-ndjson');
        } catch (RuntimeException $e) {
            $retryable = $e->getCode() === 0 || $e->getCode() >= 500;
            if (!$retryable || $attempt >= 3) throw $e;
            sleep($attempt);
        }
    }
}

// Streams the file to disk (an 800k-row export does not fit in PHP's memory limit).
function download(string $url, string $path): void {
    $fh = fopen($path, 'wb');
    $ch = curl_init($url);
    curl_setopt_array($ch, [CURLOPT_FILE => $fh, CURLOPT_FOLLOWLOCATION => true, CURLOPT_CONNECTTIMEOUT => 10, CURLOPT_FAILONERROR => true]);
    $ok = curl_exec($ch);
    $error = curl_error($ch);
    unset($ch);
    fclose($fh);
    if (!$ok) {
        unlink($path);
        throw new RuntimeException("download failed: $error");
    }
}

try {
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

    // Batches of 10k records, numbered by `seq`.
    for ($seq = 0; $seq < 3; $seq++) {
        $lines = '';
        for ($i = 0; $i < 10000; $i++) {
            $n = $seq * 10000 + $i + 1;
            $lines .= json_encode([$n, "customer $n", $n * 1.5, '2024-03-01']) . "\n";
        }
        sendBatch("$base/exports/$id/records?seq=$seq", $lines);
    }
    call('POST', "$base/exports/$id/complete");

    $deadline = time() + 1800;
    do {
        sleep(1);
        $view = call('GET', "$base/exports/$id");
    } while (!in_array($view['status'], ['COMPLETED', 'FAILED', 'CANCELLED'], true) && time() < $deadline);
    if ($view['status'] !== 'COMPLETED') throw new RuntimeException('export ' . $view['status'] . ': ' . json_encode($view['error'] ?? null));

    download($view['url'], $out);
    if (hash_file('sha256', $out) !== $view['sha256']) throw new RuntimeException('checksum mismatch');
    echo "{$view['recordCount']} records -> $out ({$view['fileSize']} bytes, sha256 {$view['sha256']})\n";
} catch (RuntimeException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}

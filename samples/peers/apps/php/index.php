<?php
// Tiny PHP app for real-peers.sh --extra, run by `php -S 127.0.0.1:PORT -t php/ php/index.php`
// with -d display_errors=On|Off. Routes: / (normal page), /orders/1 (uncaught exception),
// /warn (a warning), /info.php (phpinfo()), anything else 404.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/') {
    echo "hello from the shop\n";
} elseif ($path === '/orders/1') {
    $orders = [1 => ['total' => 12.5]];
    throw new RuntimeException('order total cannot be computed');
} elseif ($path === '/warn') {
    $orders = [1 => ['total' => 12.5]];
    echo $orders[2]['total'];
    echo "done\n";
} elseif ($path === '/info.php') {
    phpinfo();
} else {
    http_response_code(404);
    echo "Not Found\n";
}

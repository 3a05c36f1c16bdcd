# A short native run of one mk-noise benchmark; checks the shape of what it
# writes (never its timings): the raw CSV's header and row count, summary.csv,
# and the JSON's fields.
#   cmake -DNOISE=mk-noise -DBENCH=fwq|ftq|selfish -DOUT=DIR -P check_output.cmake
cmake_minimum_required(VERSION 3.25)

set(cpu 0)
set(fwq_samples 50)
set(ftq_windows 2000)
if(BENCH STREQUAL "fwq")
  set(args --fwq-samples ${fwq_samples} --fwq-work 14)
elseif(BENCH STREQUAL "ftq")
  set(args --ftq-windows ${ftq_windows})
elseif(BENCH STREQUAL "selfish")
  set(args --selfish-seconds 0.2)
else()
  message(FATAL_ERROR "BENCH must be fwq, ftq or selfish")
endif()

file(REMOVE_RECURSE ${OUT})
execute_process(
  COMMAND ${NOISE} --cpus ${cpu} --bench ${BENCH} ${args} --out ${OUT} --json
  OUTPUT_VARIABLE json ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mk-noise exited ${rc}: ${err}")
endif()

function(expect what)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "${what}")
  endif()
endfunction()

# The JSON: method fields and one result with every summary field.
string(JSON tool ERROR_VARIABLE jerr GET "${json}" tool)
expect("stdout is not JSON: ${jerr}\n${json}" NOT jerr)
expect("tool is '${tool}'" tool STREQUAL "mk-noise")
foreach(key tsc_khz tsc_source tsc_invariant work cpus parameters)
  string(JSON v ERROR_VARIABLE jerr GET "${json}" ${key})
  expect("JSON lacks '${key}'" NOT jerr)
endforeach()
string(JSON khz GET "${json}" tsc_khz)
expect("tsc_khz is ${khz}" khz GREATER 0)
string(JSON n LENGTH "${json}" results)
expect("${n} results, expected 1" n EQUAL 1)
foreach(key benchmark cpu samples unit min median mean max stddev max_detour_us noise_pct
    detours detours_per_s duration_s irqs_in_interval csv)
  string(JSON v ERROR_VARIABLE jerr GET "${json}" results 0 ${key})
  expect("result lacks '${key}'" NOT jerr)
endforeach()
string(JSON b GET "${json}" results 0 benchmark)
expect("benchmark is '${b}'" b STREQUAL BENCH)
string(JSON csv GET "${json}" results 0 csv)
expect("csv is '${csv}'" csv STREQUAL "${OUT}/${BENCH}-cpu${cpu}.csv")

# The raw samples: header, then as many rows as the run had samples.
function(check_csv file header rows)
  expect("${file} missing" EXISTS ${file})
  file(STRINGS ${file} lines)
  list(LENGTH lines count)
  list(GET lines 0 first)
  expect("${file}: header '${first}', expected '${header}'" first STREQUAL header)
  math(EXPR got "${count} - 1")
  expect("${file}: ${got} rows, expected ${rows}" got EQUAL rows)
endfunction()

if(BENCH STREQUAL "fwq")
  check_csv(${csv} "sample,cycles,us" ${fwq_samples})
elseif(BENCH STREQUAL "ftq")
  check_csv(${csv} "window,start_us,count" ${ftq_windows})
  # The spectrum of the first 1024 windows: bins 1 .. 512.
  check_csv(${OUT}/ftq-spectrum-cpu${cpu}.csv "frequency_hz,power" 512)
else()
  string(JSON kept GET "${json}" results 0 detours_recorded)
  string(JSON counted GET "${json}" results 0 detours)
  expect("${kept} detours kept of ${counted}" NOT kept GREATER counted)
  check_csv(${csv} "detour,start_us,length_us" ${kept})
endif()
check_csv(${OUT}/summary.csv
  "benchmark,cpu,samples,unit,min,median,mean,max,stddev,max_detour_us,noise_pct,detours,detours_per_s,duration_s,irqs_in_interval"
  1)

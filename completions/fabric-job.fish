function __fabric-job_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-job_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fabric-job_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-job_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fabric-job_parse_tokens -S
    set -l unparsed_tokens (__fabric-job_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fabric-job'
        __fabric-job_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'start'
            __fabric-job_parse_subcommand -r 1 'store=' 'store-password-file=' 'command=' 'version' 'h/help'
        case 'supervise'
            __fabric-job_parse_subcommand -r 1 'store=' 'store-password-file=' 'version' 'h/help'
        case 'list'
            __fabric-job_parse_subcommand 0 'store=' 'store-password-file=' 'state=' 'version' 'h/help'
        case 'show'
            __fabric-job_parse_subcommand 1 'store=' 'store-password-file=' 'output' 'stderr' 'version' 'h/help'
        case 'wait'
            __fabric-job_parse_subcommand 1 'store=' 'store-password-file=' 'timeout=' 'version' 'h/help'
        case 'cancel'
            __fabric-job_parse_subcommand 1 'store=' 'store-password-file=' 'timeout=' 'version' 'h/help'
        case 'help'
            __fabric-job_parse_subcommand -r 1 'version'
        end
    end
end

function __fabric-job_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fabric-job_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __fabric-job_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fabric-job_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fabric-job_tokens -p)
    if test -z "$(__fabric-job_tokens -t)"
        set -l index (count (__fabric-job_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fabric-job' -f
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'start' -d 'Run a command as a background job and print its record at once.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'supervise' -d 'Run a started job\'s command and record its end (what start runs; not for direct use).'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'list' -d 'Print the record of every job, oldest first.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'show' -d 'Print one job\'s record with the command\'s output records and standard error.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'wait' -d 'Wait until a job ends, print what its command printed, and exit as it did.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'cancel' -d 'Stop a running job as Ctrl-C would, wait for its clean-up, and print its record.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_positional "fabric-job" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job start" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job start" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job start" command' -l 'command' -d 'The command as the job list shows it (default: the arguments); never a secret.' -rfka ''
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job start" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job supervise" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job supervise" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job supervise" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job supervise" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job list" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job list" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job list" state' -l 'state' -d 'Only jobs in this state: running, succeeded, failed, cancelled, lost.' -rfka ''
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job list" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job show" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job show" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job show" output' -l 'output' -d 'Print the command\'s output records instead of the job\'s record.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job show" stderr' -l 'stderr' -d 'Print the command\'s standard error instead of the job\'s record.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job show" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job wait" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job wait" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job wait" timeout' -l 'timeout' -d 'Give up waiting after this many seconds (TimeoutError); 0, the default, waits as long as the job runs.' -rfka ''
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job wait" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job wait" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job cancel" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job cancel" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job cancel" timeout' -l 'timeout' -d 'Give up waiting after this many seconds (TimeoutError); 0, the default, waits as long as the job runs.' -rfka ''
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job cancel" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-job' -n '__fabric-job_should_offer_completions_for_flags_or_options "fabric-job help" version' -l 'version' -d 'Show the version.'

# --- fabric additions: written by completions/regenerate, not by the tool ---

function __fabric_prev_is -d 'true if the previous token is one of the arguments'
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $argv
end

function __fabric_json_field -a field -d 'the string field of each JSON line on stdin'
    while read -l line
        set -l match (string match -r -- '"'$field'":"((?:[^"\\\\]|\\\\.)*)"' $line)
        set -q match[2]; or continue
        string replace -ra -- '\\\\(.)' '$1' $match[2]
    end
end

function __fabric_tool_providers -d 'registered provider ids, from a store that exists'
    set -l tokens (commandline -opc)
    set -l store
    set -l i (contains -i -- --store $tokens)
    and set -l next (math $i + 1)
    and set -q tokens[$next]
    and set store --store $tokens[$next]
    set -l store_path (fabric-store path $store 2>/dev/null)
    test -f "$store_path"; or return
    fabric-store list providers $store 2>/dev/null | __fabric_json_field provider_id
end
complete -c 'fabric-job' -n '__fabric_prev_is --store' -l store -r -F
complete -c 'fabric-job' -n '__fabric_prev_is --store-password-file' -l store-password-file -r -F
